using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Labyrinth.Testing;

/// <summary>
/// A throwaway <c>redis-server</c> (Debian's package) on a free loopback port, unprivileged, with
/// no persistence and its files in a temp folder. <see cref="StopAsync"/> and <see cref="StartAsync"/>
/// simulate Redis going away and coming back on the same port. Disposing stops exactly the process it started.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "labyrinth-redis-" + Guid.NewGuid().ToString("N"));
    private Process? process;

    private RedisServer(int port)
    {
        Port = port;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for <c>Labyrinth:Redis:Configuration</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartNewAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartAsync();
        return server;
    }

    private static readonly string[] Candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    public static string Executable =>
        Candidates.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("redis-server is missing: install Debian's redis-server package (test.sh does).");

    public async Task StartAsync()
    {
        Directory.CreateDirectory(dir);
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--protected-mode", "yes" })
        {
            info.ArgumentList.Add(arg);
        }

        process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.TrueAsync(PingsAsync, $"redis-server answers PING on port {Port}");
    }

    /// <summary>Kills the server (as a crash would) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill();
            await running.WaitForExitAsync();
        }

        process?.Dispose();
        process = null;
    }

    /// <summary>Sends one command in the inline protocol and returns the raw reply (tests peek at keys).</summary>
    public async Task<string> CommandAsync(string command)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"));
        var buffer = new byte[64 * 1024];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private async Task<bool> PingsAsync()
    {
        try
        {
            return (await CommandAsync("PING")).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
