using System.Text;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Checked at start, before anything is written: the data directory and every folder the host
/// writes exist as folders (or can be created) and accept files, and the database file, when
/// present, is SQLite. Each failure is one sentence: which path, what is wrong, how to fix it.
/// </summary>
internal static class DataDirectoryCheck
{
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>Null when the host can use its data directory, else the sentence to stop with.</summary>
    public static string? Run(HostPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (CheckDataDir(paths.DataDir) is { } dataDirProblem)
        {
            return dataDirProblem;
        }

        foreach (var dir in paths.WritableDirs)
        {
            if (CheckFolder(dir) is { } problem)
            {
                return problem;
            }
        }

        return CheckDatabase(paths.DatabaseFile);
    }

    private static string? CheckDataDir(string dataDir)
    {
        if (Directory.Exists(dataDir))
        {
            return null;
        }

        if (File.Exists(dataDir))
        {
            return $"The data directory {dataDir} is a file, not a folder; move the file away or set Labyrinth__DataDir to a folder.";
        }

        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dataDir));
        if (parent is not null && File.Exists(parent))
        {
            return $"The data directory's parent {parent} is a file, not a folder; move the file away or set Labyrinth__DataDir to a folder elsewhere.";
        }

        if (parent is null || !Directory.Exists(parent))
        {
            return $"The data directory's parent folder {parent ?? dataDir} does not exist; create it (mkdir -p {parent ?? dataDir}) or set Labyrinth__DataDir to a folder whose parent exists.";
        }

        return null;
    }

    private static string? CheckFolder(string dir)
    {
        if (File.Exists(dir))
        {
            return $"{dir} is a file, but the host keeps a folder there; move the file away and start again.";
        }

        try
        {
            Directory.CreateDirectory(dir);
            ProbeWrite(dir);
            return null;
        }
        catch (Exception ex) when (StorageErrors.IsFull(ex))
        {
            // A full disk still lets the host start and serve what it has; /healthz says degraded.
            return null;
        }
        catch (Exception ex) when (StorageErrors.IsReadOnly(ex))
        {
            return $"{dir} is on a read-only file system, but the host must write there; remount it read-write or set Labyrinth__DataDir to a writable folder.";
        }
        catch (UnauthorizedAccessException)
        {
            return $"{dir} is not writable by the user running the host ({Environment.UserName}); give that user write access (for example chown -R {Environment.UserName} {dir}) or set Labyrinth__DataDir to a folder it owns.";
        }
        catch (IOException ex)
        {
            return $"{dir} cannot be written ({ex.Message.TrimEnd('.')}); fix the folder or set Labyrinth__DataDir to another one.";
        }
    }

    // Creating (and at once deleting) an empty file writes no data, so a full disk is not an error here.
    private static void ProbeWrite(string dir)
    {
        var probe = Path.Combine(dir, ".labyrinth-write-check-" + Guid.NewGuid().ToString("N"));
        using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
        }
    }

    private static string? CheckDatabase(string file)
    {
        if (Directory.Exists(file))
        {
            return $"{file} is a folder, but the host keeps its SQLite database there; move the folder away and start again.";
        }

        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length == 0)
            {
                return null; // SQLite treats an empty file as a new database
            }

            var header = new byte[SqliteHeader.Length];
            var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            {
                return $"{file} is not a SQLite database (it does not start with the SQLite header); move it away so the host creates a new one, or put the right file back.";
            }

            return null;
        }
        catch (Exception ex) when (StorageErrors.IsReadOnly(ex))
        {
            return $"{file} is on a read-only file system; remount it read-write or set Labyrinth__DataDir to a writable folder.";
        }
        catch (UnauthorizedAccessException)
        {
            return $"The database {file} is not writable by the user running the host ({Environment.UserName}); give that user write access to it.";
        }
        catch (IOException ex)
        {
            return $"The database {file} cannot be opened ({ex.Message.TrimEnd('.')}); fix the file or set Labyrinth__DataDir to another folder.";
        }
    }
}
