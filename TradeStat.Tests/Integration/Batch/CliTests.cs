using System.Diagnostics;
using System.Text;
using TradeStat.Cli;
using TradeStat.Tests.Support;

namespace TradeStat.Tests.Integration.Batch;

/// <summary>The built <c>TradeStat.Cli</c> as a user runs it: a real process, files, stdin, exit statuses.</summary>
[TestFixture]
[Category("Integration")]
public sealed class CliTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => Directory.CreateDirectory(_directory = Path.Combine(Path.GetTempPath(), $"tradestat-cli-{Guid.NewGuid():N}"));

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void The_sample_file_gives_the_sample_output_csv()
    {
        File.WriteAllText(PathOf("input.csv"), TradeInputs.Sample);
        var result = Cli(null, "input.csv");
        result.ExitCode.Should().Be(0, result.Stderr);
        File.ReadAllText(PathOf("output.csv")).Should().Be(TradeInputs.SampleOutput);
        result.Stderr.Should().BeEmpty("no progress line when stderr is not a terminal");
        Directory.GetFiles(_directory).Should().HaveCount(2, "the temporary file was renamed");
    }

    [Test]
    public void Stdin_and_stdout_work_with_dash()
    {
        var result = Cli(TradeInputs.Sample, "-", "-");
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(TradeInputs.SampleOutput);
    }

    [Test]
    [Platform("Linux")] // bash redirects stdin from the file
    public void Stdin_redirected_from_a_file_is_read_as_a_file_from_where_the_shell_left_it()
    {
        // `run.sh - < file` is read like a file (in parallel), from the shell's position: after `read` took the first
        // line, the CLI must see only the rest.
        File.WriteAllText(PathOf("in.csv"), "1,zzz,5,5\n" + TradeInputs.Sample);
        var cli = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "TradeStat.Cli.dll")}'";

        var whole = Run("bash", "-c", $"{cli} - whole.csv < in.csv");
        var rest = Run("bash", "-c", $"{{ IFS= read -r first; {cli} - rest.csv; }} < in.csv");

        whole.ExitCode.Should().Be(0, whole.Stderr);
        File.ReadAllText(PathOf("whole.csv")).Should().Be(TradeInputs.SampleOutput + "zzz,0,5,5,5\n");
        rest.ExitCode.Should().Be(0, rest.Stderr);
        File.ReadAllText(PathOf("rest.csv")).Should().Be(TradeInputs.SampleOutput, "the line the shell read is not the CLI's");
    }

    [Test]
    public void Only_a_seekable_stdin_with_bytes_left_is_read_as_a_file()
    {
        var path = PathOf("seekable.csv");
        File.WriteAllText(path, TradeInputs.Sample);
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read))
        {
            AnalyzeCommand.RegularFileStart(file).Should().Be(0);
            file.Position = 10;
            AnalyzeCommand.RegularFileStart(file).Should().Be(10);
            file.Position = file.Length;
            AnalyzeCommand.RegularFileStart(file).Should().BeNull("nothing is left: the stream path reads the empty rest");
        }

        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        using var pipeFile = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(pipe.SafePipeHandle.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 0);
        AnalyzeCommand.RegularFileStart(pipeFile).Should().BeNull("a pipe is read as a stream");
    }

    [Test]
    public void An_invalid_line_fails_with_its_number_and_leaves_no_output()
    {
        File.WriteAllText(PathOf("bad.csv"), TradeInputs.Sample + "52933453,aab,0,756\n");
        File.WriteAllText(PathOf("out.csv"), "stale");
        var result = Cli(null, "bad.csv", "out.csv");
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("line 9: quantity must be positive, got 0");
        File.Exists(PathOf("out.csv")).Should().BeFalse("a stale result must not survive a failed run");
    }

    [Test]
    public void A_decreasing_timestamp_on_stdin_fails_with_its_line_number()
    {
        var result = Cli("5,aaa,1,1\n7,aaa,1,1\n6,aaa,1,1\n", "-", "out.csv");
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("line 3: timestamp 6 is before the previous trade's 7");
        File.Exists(PathOf("out.csv")).Should().BeFalse();
    }

    [Test]
    public void Skip_invalid_counts_and_reports_the_invalid_lines()
    {
        var result = Cli(TradeInputs.Sample + "junk\n", "-", "out.csv", "--skip-invalid");
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().Contain("skipped 1 invalid line(s) of 9; first: line 9: expected 4 comma-separated fields");
        File.ReadAllText(PathOf("out.csv")).Should().Be(TradeInputs.SampleOutput);
    }

    [Test]
    public void An_empty_input_gives_an_empty_output()
    {
        var result = Cli("", "-", "out.csv");
        result.ExitCode.Should().Be(0, result.Stderr);
        File.ReadAllText(PathOf("out.csv")).Should().BeEmpty();
    }

    [Test]
    public void Generated_data_analysed_matches_the_naive_reference()
    {
        Cli(null, "gen", "--rows", "20000", "--symbols", "50", "--seed", "7", "-o", "gen.csv").ExitCode.Should().Be(0);
        var again = Cli(null, "gen", "--rows", "20000", "--symbols", "50", "--seed", "7", "--stdout");
        var input = File.ReadAllText(PathOf("gen.csv"));
        again.Stdout.Should().Be(input, "the same seed gives the same bytes");

        var result = Cli(null, "gen.csv", "out.csv", "--threads", "2");
        result.ExitCode.Should().Be(0, result.Stderr);
        var expected = NaiveTrades.Analyze(input);
        expected.Lines.Should().Be(20_000);
        File.ReadAllText(PathOf("out.csv")).Should().Be(expected.Output);
    }

    [Test]
    public void Gen_distribution_is_validated_listed_in_the_help_and_sqrt_is_the_default()
    {
        var byDefault = Cli(null, "gen", "--rows", "5000", "--symbols", "40", "--seed", "3", "--stdout");
        var sqrt = Cli(null, "gen", "--rows", "5000", "--symbols", "40", "--seed", "3", "--distribution", "sqrt", "--stdout");
        var zipf = Cli(null, "gen", "--rows", "5000", "--symbols", "40", "--seed", "3", "--distribution", "zipf", "--stdout");
        byDefault.ExitCode.Should().Be(0, byDefault.Stderr);
        sqrt.Stdout.Should().Be(byDefault.Stdout);
        zipf.ExitCode.Should().Be(0, zipf.Stderr);
        zipf.Stdout.Should().NotBe(byDefault.Stdout);

        var unknown = Cli(null, "gen", "--distribution", "gauss", "--stdout");
        unknown.ExitCode.Should().Be(2);
        unknown.Stderr.Should().Contain("unknown --distribution 'gauss' (sqrt, uniform or zipf)");
        var missing = Cli(null, "gen", "--distribution");
        missing.ExitCode.Should().Be(2);
        missing.Stderr.Should().Contain("--distribution needs a value");

        Cli(null, "--help").Stdout.Should().Contain("--distribution").And.Contain("uniform").And.Contain("zipf");
        var script = Run("bash", RepositoryFile("gen.sh"), "--help");
        script.Stdout.Should().Contain("--distribution sqrt|uniform|zipf");
    }

    [Test]
    public void Help_explains_the_options_and_usage_errors_exit_with_2()
    {
        var help = Cli(null, "--help");
        help.ExitCode.Should().Be(0);
        help.Stdout.Should().Contain("--skip-invalid").And.Contain("gen").And.Contain("--rows").And.Contain("Exit status");

        var wrong = Cli(null, "--frobnicate");
        wrong.ExitCode.Should().Be(2);
        wrong.Stderr.Should().Contain("unknown option '--frobnicate'");

        var missing = Cli(null, "missing.csv", "out.csv");
        missing.ExitCode.Should().Be(3);
        missing.Stderr.Should().Contain("cannot read missing.csv");
        help.Stdout.Should().EndWith("\n"); // the prompt comes back on a line of its own
    }

    [Test]
    public void An_output_in_a_missing_directory_fails_before_reading_and_names_the_directory()
    {
        File.WriteAllText(Path.Combine(_directory, "input.csv"), "1,abc,1,1\n");
        var output = Path.Combine("nowhere", "out.csv");

        var run = Cli(null, "input.csv", output);

        run.ExitCode.Should().Be(3);
        run.Stderr.Should().Contain($"cannot write {output}: the directory {Path.Combine(_directory, "nowhere")} does not exist");
        run.Stderr.Should().NotContain(".tmp");
    }

    [Test]
    public void Check_sh_passes_a_right_output_and_names_the_differing_line_of_a_wrong_one()
    {
        File.WriteAllText(PathOf("in.csv"), TradeInputs.Sample);
        File.WriteAllText(PathOf("right.csv"), TradeInputs.SampleOutput);
        File.WriteAllText(PathOf("wrong.csv"), TradeInputs.SampleOutput.Replace("aab,6103,69,810,907", "aab,6103,69,811,907", StringComparison.Ordinal));

        var pass = Run("bash", RepositoryFile("check.sh"), "in.csv", "right.csv");
        var fail = Run("bash", RepositoryFile("check.sh"), "in.csv", "wrong.csv");

        pass.ExitCode.Should().Be(0, pass.Stderr);
        pass.Stdout.Should().Be("PASS (3 symbols)\n");
        fail.ExitCode.Should().Be(1);
        fail.Stdout.Should().Contain("line 2: expected aab,6103,69,810,907  got aab,6103,69,811,907").And.Contain("FAIL: 1 differing line(s) of 3 expected");
    }

    [Test]
    [Platform("Linux")] // util-linux `script` gives the CLI a terminal for stderr
    public void On_a_terminal_stderr_shows_a_progress_line_and_a_summary()
    {
        // Input arrives over ~1.2 s, so the twice-a-second progress line is drawn at least twice before the end (its
        // counts move as chunks complete, so they may still be zero then).
        File.WriteAllText(PathOf("in.csv"), TradeInputs.Sample);
        var cli = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "TradeStat.Cli.dll")}'";
        var result = Run("script", "-qec", $"(cat in.csv; sleep 1.2) | {cli} - out.csv", "/dev/null");

        result.ExitCode.Should().Be(0, result.Stdout);
        result.Stdout.Should().MatchRegex(@"\r[0-9.]+ GB, [0-9,]+ rows, [0-9.]+ GB/s\u001b\[K", "the progress line: bytes, rows, rate");
        result.Stdout.Should().Contain("8 lines, 3 symbols, 0.0 MB in").And.Contain("-> out.csv");
        File.ReadAllText(PathOf("out.csv")).Should().Be(TradeInputs.SampleOutput);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>A file at the repository root (the tests run from TradeStat.Tests/bin/&lt;config&gt;/&lt;tfm&gt;).</summary>
    private static string RepositoryFile(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, name);
            if (File.Exists(candidate) && File.Exists(Path.Combine(directory.FullName, "TradeStat.sln")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{name} not found above {AppContext.BaseDirectory}");
    }

    private (int ExitCode, string Stdout, string Stderr) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue($"{program} must finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private (int ExitCode, string Stdout, string Stderr) Cli(string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TradeStat.Cli.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(Encoding.UTF8.GetBytes(stdin));
        }

        process.StandardInput.Close();
        process.WaitForExit(TimeSpan.FromSeconds(60)).Should().BeTrue("the CLI must finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
