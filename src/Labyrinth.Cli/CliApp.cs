using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.Json;
using Labyrinth.Cli.Features.Audit;
using Labyrinth.Cli.Features.Backup;
using Labyrinth.Cli.Features.Dev;
using Labyrinth.Cli.Features.Keys;
using Labyrinth.Cli.Features.Login;
using Labyrinth.Cli.Features.Packages;
using Labyrinth.Cli.Features.Scaffold;
using Labyrinth.Cli.Features.Server;

namespace Labyrinth.Cli;

/// <summary>The command tree (a table of contents: each feature adds its own commands) and the exit-code policy.</summary>
internal static class CliApp
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("labyrinth — pack, sign and verify Labyrinth plugins, manage them on a server, verify audit logs, back up and restore a host.");
        root.Add(KeyCommands.Build(context));
        foreach (var command in LoginCommands.Build(context))
        {
            root.Add(command);
        }

        var plugin = new Command("plugin", "Start, develop, build and check plugins locally, or manage plugins on a Labyrinth server.");
        ScaffoldCommands.AddTo(plugin, context);
        DevCommand.AddTo(plugin, context);
        PackageCommands.AddTo(plugin, context);
        ServerCommands.AddTo(plugin, context);
        root.Add(plugin);
        root.Add(AuditCommands.Build(context));
        root.Add(BackupCommands.Build(context));
        return root;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var parse = BuildRoot(context).Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            // The library's default prints the errors and exits 1; usage errors are 2 here so
            // scripts can tell "you called it wrong" from "the check failed".
            foreach (var error in parse.Errors)
            {
                await context.Error.WriteLineAsync("error: " + error.Message);
            }

            await context.Error.WriteLineAsync($"Run '{HelpHint(parse)} --help' for usage.");
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
        }, cancellationToken);
    }

    /// <summary>Wraps a command body so expected failures end as one sentence and an exit code.</summary>
    public static void SetGuardedAction(this Command command, CliContext context, Func<ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                return await body(parse, cancellationToken);
            }
            catch (CliException ex)
            {
                await context.Error.WriteLineAsync("error: " + ex.Message);
                return ex.ExitCode;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync("error: " + ex.Message);
                return ExitCodes.Failed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C (or SIGTERM) is how a person stops 'plugin dev' and any slow command:
                // an ordinary ending, so one line and the shell's usual code, never a stack trace.
                await context.Error.WriteLineAsync("Stopped.");
                return ExitCodes.Interrupted;
            }
        });

    public static void WriteJson(this CliContext context, object value)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Out.WriteLine(JsonSerializer.Serialize(value, Json));
    }

    /// <summary>An input file the user named must exist; a missing one is a usage error.</summary>
    public static string RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.Usage, $"{what} \"{path}\" does not exist.");
        }

        return path;
    }

    private static string HelpHint(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is RootCommand ? "labyrinth" : result.Command.Name);
        }

        return string.Join(' ', names);
    }
}
