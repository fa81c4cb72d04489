using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Cli.Features.Server;

namespace Labyrinth.Cli.Features.Login;

/// <summary>
/// <c>login</c> and <c>logout</c>: sign in with a user name and password once, create a personal
/// access token through the API (<c>POST /api/tokens</c>, which needs the cookie session), and keep
/// only the token in the credentials file. The password is never stored.
/// </summary>
internal static class LoginCommands
{
    public static IEnumerable<Command> Build(CliContext context)
    {
        var server = new Option<string>("--server") { HelpName = "url", Description = $"The Labyrinth server URL. Asked when not given (default: $LABYRINTH_SERVER, else {ServerCommands.DefaultServer})." };
        var user = new Option<string>("--user") { HelpName = "name", Description = "Your user name. Asked when not given." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (for scripts) instead of asking." };
        var login = new Command("login", "Sign in to a Labyrinth server and keep a personal access token for the plugin commands (in ~/.config/labyrinth/credentials.json, mode 600).")
        {
            server, user, passwordStdin,
        };
        login.SetGuardedAction(context, async (parse, ct) =>
        {
            var serverText = parse.GetValue(server) ?? Ask(context, "Server", NonEmpty(context.Environment("LABYRINTH_SERVER")) ?? ServerCommands.DefaultServer);
            var serverUri = ServerCommands.ParseServer(serverText);
            var userName = parse.GetValue(user) ?? Ask(context, "User name", null);
            if (!parse.GetValue(passwordStdin))
            {
                await context.Error.WriteAsync("Password: ");
            }

            var password = (parse.GetValue(passwordStdin) ? context.In.ReadLine() : context.ReadSecret(context)) ?? "";
            if (userName.Length == 0 || password.Length == 0)
            {
                throw new CliException(ExitCodes.Usage, "A user name and a password are needed.");
            }

            var token = await CreateTokenAsync(context, serverUri, userName, password, ct);
            var credentials = new Credentials(context);
            credentials.Save(serverUri.ToString(), new StoredLogin(token, userName, DateTime.UtcNow));
            await context.Out.WriteLineAsync($"Signed in to {serverUri} as {userName}. The token is kept in {credentials.Path} (only you can read it); revoke it on {serverUri}profile.");
            return ExitCodes.Ok;
        });

        var logoutServer = new Option<string>("--server") { HelpName = "url", Description = "The server to forget (default: the one you last signed in to)." };
        var logout = new Command("logout", "Forget the token kept for a server (revoke it on the server's profile page).") { logoutServer };
        logout.SetGuardedAction(context, async (parse, _) =>
        {
            var credentials = new Credentials(context);
            var target = parse.GetValue(logoutServer) ?? credentials.DefaultServer;
            if (target is null || credentials.Remove(ServerCommands.ParseServer(target).ToString()) is null)
            {
                await context.Out.WriteLineAsync("No token was kept for " + (target ?? "any server") + ".");
                return ExitCodes.Ok;
            }

            await context.Out.WriteLineAsync($"Forgot the token for {target}. It still works until you revoke it on {Credentials.Key(target)}profile.");
            return ExitCodes.Ok;
        });
        return [login, logout];
    }

    private static async Task<string> CreateTokenAsync(CliContext context, Uri server, string userName, string password, CancellationToken ct)
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var http = new HttpClient(handler) { BaseAddress = server, Timeout = context.HttpTimeout };
        // What the UI sends; the host refuses cookie requests without it (CSRF).
        http.DefaultRequestHeaders.Add("X-Labyrinth-Request", "1");
        try
        {
            using var signIn = await http.PostAsJsonAsync("api/auth/login", new { userName, password }, ct);
            if (!signIn.IsSuccessStatusCode)
            {
                throw new CliException(signIn.StatusCode >= HttpStatusCode.InternalServerError ? ExitCodes.Server : ExitCodes.Failed,
                    await ProblemTextAsync(signIn, "Signing in failed", ct));
            }

            var name = $"labyrinth CLI on {Environment.MachineName} ({DateTime.UtcNow:yyyy-MM-dd})";
            using var created = await http.PostAsJsonAsync("api/tokens", new { name }, ct);
            if (!created.IsSuccessStatusCode)
            {
                throw new CliException(ExitCodes.Failed, await ProblemTextAsync(created, "Creating a token failed", ct));
            }

            using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(ct));
            var token = body.RootElement.TryGetProperty("token", out var t) ? t.GetString() : null;
            using var _ = await http.PostAsync("api/auth/logout", null, ct);
            return token ?? throw new CliException(ExitCodes.Server, $"{server} answered without a token: is it a Labyrinth server?");
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Server, $"Could not reach the Labyrinth server at {server}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Server, $"The server at {server} did not answer within {context.HttpTimeout.TotalSeconds:0} seconds.");
        }
    }

    private static async Task<string> ProblemTextAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } sentence)
            {
                return $"{what}: {sentence} (HTTP {(int)response.StatusCode})";
            }
        }
        catch (JsonException)
        {
        }

        return $"{what}: HTTP {(int)response.StatusCode}.";
    }

    private static string Ask(CliContext context, string question, string? suggestion)
    {
        context.Error.Write(suggestion is null ? $"{question}: " : $"{question} [{suggestion}]: ");
        var answer = context.In.ReadLine()?.Trim();
        return string.IsNullOrEmpty(answer) ? suggestion ?? "" : answer;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
