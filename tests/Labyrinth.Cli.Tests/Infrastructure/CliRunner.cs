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

    private static async Task<CliRun> RunCoreAsync(IReadOnlyDictionary<string, string>? environment, string? workingDirectory, string[] args, string input = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, name => environment is not null && environment.TryGetValue(name, out var v) ? v : null)
        {
            HttpTimeout = TimeSpan.FromSeconds(10),
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
            In = new StringReader(input),
        };
        var exit = await CliApp.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public static Task<CliRun> RunAsync(params string[] args) => RunAsync(null, args);
}
