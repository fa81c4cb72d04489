namespace Labyrinth.Host.Tests;

/// <summary>
/// One app on a real socket shared by a class of read-only tests (plugin files, frames, pages):
/// raw request targets only survive a real HTTP server, and nothing here writes state.
/// </summary>
public sealed class KestrelApp : IAsyncLifetime
{
    internal LabyrinthApp App { get; } = new(kestrel: true);

    internal Uri Address => App.ServerAddress;

    internal HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Client = await App.CreateClientAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
    }
}
