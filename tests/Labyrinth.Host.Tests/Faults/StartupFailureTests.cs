using System.Diagnostics;

namespace Labyrinth.Host.Tests.Faults;

/// <summary>
/// The real host process, started on a data directory it cannot use: it stops with one sentence on
/// standard error and a non-zero exit code, never an unhandled exception and a stack trace.
/// </summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "labyrinth-start-" + Guid.NewGuid().ToString("N"));

    public StartupFailureTests() => Directory.CreateDirectory(root);

    [Fact]
    public async Task Start_ReadOnlyDataDirectory_StopsWithOneSentenceAndExit78()
    {
        using var mount = TmpfsMount.Create(1, readOnly: true);

        var (code, stderr, stdout) = await StartHostAsync(mount.Path);

        AssertStoppedCleanly(code, stderr, stdout, mount.Path, "read-only");
    }

    [Fact]
    public async Task Start_MissingParent_StopsWithOneSentenceAndExit78()
    {
        var data = Path.Combine(root, "no", "such", "data");

        var (code, stderr, stdout) = await StartHostAsync(data);

        AssertStoppedCleanly(code, stderr, stdout, Path.Combine(root, "no", "such"), "does not exist");
    }

    [Fact]
    public async Task Start_FileWhereDataDirectoryShouldBe_StopsWithOneSentenceAndExit78()
    {
        var data = Path.Combine(root, "data");
        await File.WriteAllTextAsync(data, "x");

        var (code, stderr, stdout) = await StartHostAsync(data);

        AssertStoppedCleanly(code, stderr, stdout, data, "is a file");
    }

    [Fact]
    public async Task Start_DatabaseThatIsNotSqlite_StopsWithOneSentenceAndExit78()
    {
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "labyrinth.db"), new string('x', 4096));

        var (code, stderr, stdout) = await StartHostAsync(data);

        AssertStoppedCleanly(code, stderr, stdout, Path.Combine(data, "labyrinth.db"), "is not a SQLite database");
    }

    private static void AssertStoppedCleanly(int code, string stderr, string stdout, string path, string what)
    {
        Assert.True(code == 78, $"exit code {code}; stderr: {stderr}; stdout: {stdout}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Labyrinth cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(path, line, StringComparison.Ordinal);
        Assert.Contains(what, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr + stdout, StringComparison.Ordinal);
    }

    /// <summary>Runs the built host (the Labyrinth.Host.dll copied beside the tests) and waits for it to exit (bounded).</summary>
    private static async Task<(int Code, string Stderr, string Stdout)> StartHostAsync(string dataDir)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Labyrinth.Host.dll"));
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add("http://127.0.0.1:0");
        psi.Environment["Labyrinth__DataDir"] = dataDir;
        psi.Environment["Labyrinth__ExamplePluginsDir"] = "";
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The host did not stop within 60 s; it started although {dataDir} is unusable. stdout: {await stdout}");
        }

        return (process.ExitCode, await stderr, await stdout);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
