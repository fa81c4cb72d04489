namespace Labyrinth.Cli;

/// <summary>
/// What a command may touch of the outside world. Tests pass string writers, a fake environment
/// and scripted input, so they run commands in-process without mutating the real environment.
/// </summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, Func<string, string?> Environment)
{
    public static CliContext System => new(Console.Out, Console.Error, global::System.Environment.GetEnvironmentVariable)
    {
        In = Console.In,
        ReadSecret = ReadSecretFromConsole,
    };

    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Where default output files go (the process's current directory outside tests).</summary>
    public string WorkingDirectory { get; init; } = global::System.Environment.CurrentDirectory;

    /// <summary>Answers to prompts (<c>labyrinth login</c>); empty outside a terminal unless piped.</summary>
    public TextReader In { get; init; } = TextReader.Null;

    /// <summary>Reads a password without echoing it; tests read it from <see cref="In"/>.</summary>
    public Func<CliContext, string?> ReadSecret { get; init; } = context => context.In.ReadLine();

    private static string? ReadSecretFromConsole(CliContext context)
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine();
        }

        var secret = new global::System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                context.Error.WriteLine();
                return secret.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }
    }
}
