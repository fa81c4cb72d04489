namespace Labyrinth.Cli.Tests.Infrastructure;

/// <summary>What one in-process run of the CLI produced.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;
}

/// <summary>Runs commands in-process with captured output and a private environment (never the real one).</summary>
internal static class CliRunner
{
    public static Task<CliRun> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunCoreAsync(environment, null, args);

    public static Task<CliRun> RunInAsync(string workingDirectory, params string[] args) => RunCoreAsync(null, workingDirectory, args);

    /// <summary>Runs with <paramref name="input"/> as what the person types at the prompts (passwords included).</summary>
    public static Task<CliRun> RunWithInputAsync(IReadOnlyDictionary<string, string>? environment, string input, params string[] args) =>
        RunCoreAsync(environment, null, args, input);

    /// <summary>Runs as if the person pressed Ctrl+C before the command finished.</summary>
    public static Task<CliRun> RunStoppedAsync(params string[] args) => RunCoreAsync(null, null, args, stopped: true);

    private static async Task<CliRun> RunCoreAsync(IReadOnlyDictionary<string, string>? environment, string? workingDirectory, string[] args, string input = "", bool stopped = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null)
        {
            HttpTimeout = TimeSpan.FromSeconds(10),
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            In = new StringReader(input),
        };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        if (stopped)
        {
            await stop.CancelAsync();
        }

        var exit = await CliApp.RunAsync(args, context, stop.Token);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(null, args);
}
