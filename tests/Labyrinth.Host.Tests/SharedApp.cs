namespace Labyrinth.Host.Tests;

/// <summary>
/// One app per test class for board tests, where start-up (migrations, example plugin install)
/// would otherwise dominate the run. Tests stay independent: each signs in as a user of its own,
/// and users only ever see their own boards.
/// </summary>
public sealed class SharedApp : IAsyncLifetime
{
    private HttpClient admin = null!;

    internal LabyrinthApp App { get; } = new(new Dictionary<string, string?> { ["Labyrinth:LoginAttemptsPerMinute"] = "100000" });

    public async ValueTask InitializeAsync() => admin = await App.SetupAdminAsync();

    /// <summary>The app's admin, signed in.</summary>
    internal HttpClient Admin => admin;

    /// <summary>A fresh member, signed in, owning nothing yet.</summary>
    internal Task<HttpClient> UserAsync() => App.CreateMemberAsync("u" + Guid.NewGuid().ToString("N")[..16], admin);

    public async ValueTask DisposeAsync()
    {
        admin.Dispose();
        await App.DisposeAsync();
    }
}
