using System.Diagnostics;
using TradeStat.Infrastructure.Batch;

namespace TradeStat.Cli;

/// <summary>Redraws "bytes, rows, rate" on one stderr line twice a second; only used when stderr is a terminal.</summary>
internal sealed class ProgressLine : IDisposable
{
    private readonly CsvProgress _progress;
    private readonly TextWriter _stderr;
    private readonly Stopwatch _stopwatch;
    private readonly Timer _timer;

    public ProgressLine(CsvProgress progress, TextWriter stderr, Stopwatch stopwatch)
    {
        _progress = progress;
        _stderr = stderr;
        _stopwatch = stopwatch;
        _timer = new Timer(_ => Draw(), null, 500, 500);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _stderr.Write("\r\u001b[K");
    }

    private void Draw()
    {
        var seconds = Math.Max(_stopwatch.Elapsed.TotalSeconds, 1e-9);
        var bytes = _progress.Bytes;
        _stderr.Write($"\r{bytes / 1e9:N2} GB, {_progress.Lines:N0} rows, {bytes / 1e9 / seconds:N2} GB/s\u001b[K");
    }
}
