namespace Labyrinth.Host.Features.Plugins;

/// <summary>How an install's staged files ended up at the version's place in the content store.</summary>
internal enum Placement
{
    /// <summary>The staging directory is now the version's directory: this install owns it until it commits.</summary>
    Moved,

    /// <summary>Another install (an instance sharing this disk) put the same files there first; they stay its.</summary>
    Shared,

    /// <summary>Something else is there: other bytes under the same version, or a crash's leftovers.</summary>
    Taken,
}

/// <summary>
/// The version directories of the plugin store (data/plugins/{id}/{version}). Instances may share
/// the store, so nothing here checks whether a directory exists and then acts on the answer: the
/// move itself is the test, and a move that finds the place taken looks at what took it.
/// </summary>
internal static class VersionDirectory
{
    /// <summary>Moves <paramref name="staging"/> to <paramref name="target"/> unless something is already there.</summary>
    public static Placement Place(string staging, string target)
    {
        ArgumentNullException.ThrowIfNull(staging);
        ArgumentNullException.ThrowIfNull(target);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            // rename(2): atomic, and it refuses (ENOTEMPTY/EEXIST) a non-empty target someone else just made.
            Directory.Move(staging, target);
            return Placement.Moved;
        }
        catch (IOException) when (Directory.Exists(target) && Directory.Exists(staging))
        {
            return SameFiles(staging, target) ? Placement.Shared : Placement.Taken;
        }
    }

    /// <summary>
    /// Moves what is at <paramref name="target"/> aside to a fresh name in <paramref name="store"/>
    /// and returns that name; null when another mover took it first (there is nothing left to retire).
    /// </summary>
    public static string? Retire(string store, string target)
    {
        var retired = Path.Combine(store, ".retired-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.Move(target, retired);
            return retired;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="target"/> still holds exactly the files staged in <paramref name="reference"/> (names and bytes).</summary>
    public static bool SameFiles(string reference, string target)
    {
        try
        {
            var mine = Relative(reference);
            var theirs = Relative(target);
            if (!mine.SequenceEqual(theirs, StringComparer.Ordinal))
            {
                return false;
            }

            foreach (var path in mine)
            {
                var a = new FileInfo(Path.Combine(reference, path));
                var b = new FileInfo(Path.Combine(target, path));
                if (a.Length != b.Length || !File.ReadAllBytes(a.FullName).AsSpan().SequenceEqual(File.ReadAllBytes(b.FullName)))
                {
                    return false;
                }
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Moving under our feet: not a directory anyone can rely on.
            return false;
        }
    }

    private static List<string> Relative(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Order(StringComparer.Ordinal)
            .ToList();
}
