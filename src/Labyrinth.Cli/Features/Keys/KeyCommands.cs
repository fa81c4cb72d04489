using System.CommandLine;
using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Features.Keys;

internal static class KeyCommands
{
    public static Command Build(CliContext context)
    {
        var name = new Option<string>("--name") { HelpName = "name",  Description = "The publisher name shown as \"signed by <name>\".", Required = true };
        var output = new Option<FileInfo>("--out") { HelpName = "file",  Description = "Where to write the key file (created with mode 600).", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file." };
        var json = new Option<bool>("--json") { Description = "Print { name, keyId, publicKey, path } as JSON." };
        var create = new Command("new", "Generate an Ed25519 publisher key file. Keep it secret: whoever holds it can sign as you. Give the printed public key to server admins to trust.")
        {
            name, output, force, json,
        };
        create.SetGuardedAction(context, (parse, _) =>
        {
            var path = parse.GetRequiredValue(output).FullName;
            using var key = PublisherKey.Generate(parse.GetRequiredValue(name));
            KeyFiles.Write(key, path, parse.GetValue(force));
            var publicKey = Convert.ToBase64String(key.PublicKey);
            if (parse.GetValue(json))
            {
                context.WriteJson(new { name = key.Name, keyId = key.KeyId, publicKey, path });
            }
            else
            {
                context.Out.WriteLine($"Wrote key file {path}");
                context.Out.WriteLine($"name:       {key.Name}");
                context.Out.WriteLine($"key id:     {key.KeyId}");
                context.Out.WriteLine($"public key: {publicKey}");
            }

            return Task.FromResult(ExitCodes.Ok);
        });

        return new Command("keys", "Manage publisher signing keys.") { create };
    }
}
