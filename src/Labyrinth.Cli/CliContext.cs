namespace Labyrinth.Cli;

/// <summary>
/// What a command may touch of the outside world. Tests pass string writers and a fake
/// environment, so they run commands in-process without mutating the real environment.
/// </summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment)
{
    public static CliContext System => new(Console.Out, Console.Error, global::System.Environment.GetEnvironmentVariable);

    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Where default output files go (the process's current directory outside tests).</summary>
    public string WorkingDirectory { get; init; } = global::System.Environment.CurrentDirectory;
}
