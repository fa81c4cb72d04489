using System.CommandLine;
using Labyrinth.Cli.Features.Packages;
using Labyrinth.Cli.Features.Server;
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

        return new Command("keys", "Manage publisher signing keys.") { create, BuildTrust(context) };
    }

    /// <summary>
    /// <c>keys trust</c>: an admin adds a publisher's public key to a server's trust store, the step
    /// between <c>keys new</c> and installing a signed package under the Strict policy. Only the
    /// public half of a key file is read and sent.
    /// </summary>
    private static Command BuildTrust(CliContext context)
    {
        var key = new Argument<string>("key") { Description = "The publisher's key file (only its public half is read) or the base64 public key 'keys new' printed." };
        var name = new Option<string>("--name") { HelpName = "name", Description = "The name shown as \"signed by <name>\". Default: the key file's name, else \"key <id>\"." };
        var server = new Option<string>("--server") { HelpName = "url", Description = $"The Labyrinth server. Default: $LABYRINTH_SERVER, the server of 'labyrinth login', else {ServerCommands.DefaultServer}." };
        var token = new Option<string>("--token") { HelpName = "token", Description = "An admin's personal access token. Default: $LABYRINTH_TOKEN, else the one 'labyrinth login' kept." };
        var trust = new Command("trust", "Trust a publisher's public key on a server (admins): packages it signs then install under the Strict policy.")
        {
            key, name, server, token,
        };
        trust.SetGuardedAction(context, async (parse, ct) =>
        {
            var publisher = PackageInspector.ParsePublicKey(parse.GetRequiredValue(key), "The key");
            var shownName = parse.GetValue(name) is { Length: > 0 } given ? given : publisher.Name;
            using var client = ServerCommands.Connect(context, parse.GetValue(server), parse.GetValue(token));
            var reply = await client.TrustAsync(shownName, publisher.PublicKey, ct);
            if (!reply.IsSuccess)
            {
                return await ServerCommands.PrintFailureAsync(context, reply);
            }

            await context.Out.WriteLineAsync($"{client.Server} now trusts {shownName} (key {publisher.KeyId}): packages signed with it install there.");
            return ExitCodes.Ok;
        });
        return trust;
    }
}
