using Labyrinth.Host.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Tests.Faults;

/// <summary>The start-up check's sentences: which path, what is wrong, how to fix it.</summary>
public sealed class DataDirectoryCheckTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "labyrinth-check-" + Guid.NewGuid().ToString("N"));

    public DataDirectoryCheckTests() => Directory.CreateDirectory(root);

    [Fact]
    public void Run_FreshDataDirUnderExistingParent_CreatesEveryFolder()
    {
        var paths = Paths(Path.Combine(root, "data"));

        Assert.Null(DataDirectoryCheck.Run(paths));
        Assert.All(paths.WritableDirs, dir => Assert.True(Directory.Exists(dir), dir));
        Assert.Empty(Directory.EnumerateFiles(paths.DataDir));
    }

    [Fact]
    public void Run_MissingParent_NamesTheParentAndHowToCreateIt()
    {
        var parent = Path.Combine(root, "missing", "deeper");

        var problem = DataDirectoryCheck.Run(Paths(Path.Combine(parent, "data")));

        Assert.Contains(parent, problem, StringComparison.Ordinal);
        Assert.Contains("does not exist", problem, StringComparison.Ordinal);
        Assert.Contains("mkdir -p", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FileWhereDataDirShouldBe_SaysItIsAFile()
    {
        var data = Path.Combine(root, "data");
        File.WriteAllText(data, "not a folder");

        var problem = DataDirectoryCheck.Run(Paths(data));

        Assert.Contains($"{data} is a file", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_FileWherePluginFolderShouldBe_NamesThatFolder()
    {
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "plugins"), "not a folder");

        var problem = DataDirectoryCheck.Run(Paths(data));

        Assert.Contains($"{Path.Combine(data, "plugins")} is a file", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DatabaseNotSqlite_SaysSoAndHowToFixIt()
    {
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "labyrinth.db"), "PK\u0003\u0004 this is a zip, not a database");

        var problem = DataDirectoryCheck.Run(Paths(data));

        Assert.Contains("labyrinth.db is not a SQLite database", problem, StringComparison.Ordinal);
        Assert.Contains("move it away", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ReadOnlyFileSystem_NamesThePathAndTheFix()
    {
        using var mount = TmpfsMount.Create(1, readOnly: true);

        var problem = DataDirectoryCheck.Run(Paths(mount.Path));

        Assert.Contains(mount.Path, problem, StringComparison.Ordinal);
        Assert.Contains("read-only", problem, StringComparison.Ordinal);
        Assert.Contains("Labyrinth__DataDir", problem, StringComparison.Ordinal);
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

    internal static HostPaths Paths(string dataDir) =>
        new(Options.Create(new LabyrinthOptions { DataDir = dataDir, ExamplePluginsDir = "" }), new TestEnvironment());

    private sealed class TestEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Development";
        public string ApplicationName { get; set; } = "Labyrinth.Host";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
