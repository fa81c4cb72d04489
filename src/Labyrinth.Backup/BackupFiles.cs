namespace Labyrinth.Backup;

/// <summary>Writes a backup to a file: the CLI's <c>backup create</c> and the host's scheduled backups.</summary>
public static class BackupFiles
{
    /// <summary>How many snapshots a backup takes before giving up on a data directory that keeps changing under it.</summary>
    public const int Attempts = 3;

    /// <summary>
    /// Writes a backup to <paramref name="path"/>, which must not exist. The bytes go to a hidden
    /// temporary file beside it, created with mode 600 (the archive holds every secret in
    /// decryptable form, so it is never readable by others, not even for a moment), flushed to disk
    /// and then renamed: an interrupted or failed backup never leaves a file under the final name.
    /// A file that disappears between the snapshot and its copy starts the backup over with a new
    /// snapshot (<paramref name="onRetry"/> hears why), up to <see cref="Attempts"/> times.
    /// </summary>
    public static async Task<BackupResult> CreateAsync(BackupSource source, string path, Action<string>? onRetry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(source);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (File.Exists(full) || Directory.Exists(full))
        {
            throw new BackupException($"\"{path}\" already exists; a backup never overwrites a file.");
        }

        Directory.CreateDirectory(directory);
        for (var attempt = 1; ; attempt++)
        {
            var temp = Path.Combine(directory, "." + Path.GetFileName(full) + ".partial-" + Guid.NewGuid().ToString("N")[..8]);
            try
            {
                BackupResult result;
                await using (var output = BackupIO.CreatePrivateFile(temp))
                {
                    result = await BackupWriter.WriteAsync(source, output, directory, ct);
                    output.Flush(flushToDisk: true);
                }

                try
                {
                    File.Move(temp, full, overwrite: false);
                }
                catch (IOException) when (File.Exists(full))
                {
                    throw new BackupException($"\"{path}\" was created by someone else while the backup was written; a backup never overwrites a file.");
                }

                return result;
            }
            catch (BackupSourceChangedException ex) when (attempt < Attempts)
            {
                onRetry?.Invoke($"{ex.Message} Taking a new snapshot (attempt {attempt + 1} of {Attempts}).");
            }
            catch (BackupSourceChangedException ex)
            {
                throw new BackupException($"{ex.Message} The data directory kept changing during {Attempts} attempts; try again when it is quieter.");
            }
            finally
            {
                BackupIO.DeleteFile(temp);
            }
        }
    }
}
