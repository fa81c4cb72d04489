using Labyrinth.Cli;

return await CliApp.RunAsync(args, CliContext.System);
