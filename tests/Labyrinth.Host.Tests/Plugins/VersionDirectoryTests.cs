using Labyrinth.Host.Features.Plugins;

namespace Labyrinth.Host.Tests.Plugins;

/// <summary>
/// Two instances sharing a plugin store install the same version at once: whichever moves its
/// staging directory second finds the place taken. It must learn what took it, never throw
/// "Directory not empty" (the install answered 500) or move the other instance's files away.
/// </summary>
public sealed class VersionDirectoryTests : IDisposable
{
    private readonly string store = Path.Combine(Path.GetTempPath(), "labyrinth-place-" + Guid.NewGuid().ToString("N"));

    private string Target => Path.Combine(store, "dev.test.race", "1.0.0");

    [Fact]
    public void Place_NothingThere_MovesTheStagedFiles()
    {
        var staging = Stage("mine", ("cards/a.js", "export default 1;"));

        Assert.Equal(Placement.Moved, VersionDirectory.Place(staging, Target));

        Assert.False(Directory.Exists(staging));
        Assert.Equal("export default 1;", File.ReadAllText(Path.Combine(Target, "cards", "a.js")));
    }

    [Fact]
    public void Place_AnotherInstanceMovedTheSameFilesFirst_SharesThemAndLeavesThemInPlace()
    {
        var theirs = Stage("theirs", ("cards/a.js", "export default 1;"), ("manifest.json", "{}"));
        Assert.Equal(Placement.Moved, VersionDirectory.Place(theirs, Target));
        var mine = Stage("mine", ("cards/a.js", "export default 1;"), ("manifest.json", "{}"));

        Assert.Equal(Placement.Shared, VersionDirectory.Place(mine, Target));

        Assert.Equal("export default 1;", File.ReadAllText(Path.Combine(Target, "cards", "a.js")));
        Assert.True(Directory.Exists(mine), "the staging directory stays for its owner to delete");
    }

    [Fact]
    public void Place_AnotherInstanceMovedOtherBytesFirst_ReportsTakenAndKeepsTheirs()
    {
        var theirs = Stage("theirs", ("cards/a.js", "export default 2;"));
        Assert.Equal(Placement.Moved, VersionDirectory.Place(theirs, Target));
        var mine = Stage("mine", ("cards/a.js", "export default 1;"));

        Assert.Equal(Placement.Taken, VersionDirectory.Place(mine, Target));

        Assert.Equal("export default 2;", File.ReadAllText(Path.Combine(Target, "cards", "a.js")));
    }

    [Fact]
    public void Place_AnotherInstanceMovedAnExtraFileFirst_ReportsTaken()
    {
        var theirs = Stage("theirs", ("cards/a.js", "export default 1;"), ("cards/b.js", "export default 2;"));
        Assert.Equal(Placement.Moved, VersionDirectory.Place(theirs, Target));
        var mine = Stage("mine", ("cards/a.js", "export default 1;"));

        Assert.Equal(Placement.Taken, VersionDirectory.Place(mine, Target));
    }

    [Fact]
    public void Retire_AnotherMoverTookItFirst_ReturnsNull()
    {
        Assert.Null(VersionDirectory.Retire(store, Target));
    }

    public void Dispose()
    {
        if (Directory.Exists(store))
        {
            Directory.Delete(store, recursive: true);
        }
    }

    private string Stage(string name, params (string Path, string Text)[] files)
    {
        var dir = Path.Combine(store, ".staging-" + name);
        foreach (var (path, text) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, path))!);
            File.WriteAllText(Path.Combine(dir, path), text);
        }

        return dir;
    }
}
