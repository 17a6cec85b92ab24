using System.Collections.Concurrent;

namespace TradeStat.Infrastructure.Batch;

public sealed partial class TradeGenerator
{
    /// <summary>Double buffering: <see cref="Hand"/> queues a full buffer for the writer thread and returns a free one.</summary>
    private sealed class BufferWriter : IDisposable
    {
        private readonly BlockingCollection<(byte[] Buffer, int Length)> _full = new(boundedCapacity: 2);
        private readonly BlockingCollection<byte[]> _free = [];
        private readonly Thread _thread;
        private Exception? _failure;

        public BufferWriter(Stream output, int size)
        {
            for (var i = 0; i < 3; i++)
            {
                _free.Add(new byte[size]);
            }

            _thread = new Thread(() =>
            {
                try
                {
                    foreach (var (buffer, length) in _full.GetConsumingEnumerable())
                    {
                        output.Write(buffer, 0, length);
                        _free.Add(buffer);
                    }

                    output.Flush();
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    _failure = e;
                    _free.CompleteAdding();
                }
            }) { IsBackground = true, Name = "gen-writer" };
            _thread.Start();
        }

        public byte[] Take() => _free.Take();

        public byte[] Hand(byte[] buffer, int length)
        {
            ThrowIfFailed();
            _full.Add((buffer, length));
            try
            {
                return _free.Take();
            }
            catch (InvalidOperationException)
            {
                ThrowIfFailed();
                throw;
            }
        }

        public void Complete()
        {
            _full.CompleteAdding();
            _thread.Join();
            ThrowIfFailed();
        }

        public void Dispose()
        {
            _full.Dispose();
            _free.Dispose();
        }

        private void ThrowIfFailed()
        {
            if (_failure is not null)
            {
                throw new IOException(_failure.Message, _failure);
            }
        }
    }
}
