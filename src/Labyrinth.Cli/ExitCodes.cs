namespace Labyrinth.Cli;

/// <summary>The process exit codes every command uses; scripts branch on them, so they never change meaning.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A check or verification failed, or the server refused the request (4xx).</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown option, missing argument, missing input file.</summary>
    public const int Usage = 2;

    /// <summary>The server could not be reached, timed out or answered with a 5xx.</summary>
    public const int Server = 3;

    /// <summary>Stopped by Ctrl+C or a termination signal (the shell's 128 + SIGINT).</summary>
    public const int Interrupted = 130;
}

/// <summary>Ends a command with a sentence on stderr and the given exit code, never a stack trace.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
