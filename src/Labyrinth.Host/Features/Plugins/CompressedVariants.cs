using System.IO.Compression;
using Labyrinth.Host.Infrastructure;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// Brotli and gzip variants of plugin files kept on disk between starts, named by the SHA-256 of
/// the bytes they encode and the compression settings. Compressing every installed version was
/// most of a start's work (brotli at its smallest size runs at ~0.3 MB/s), redone at each start
/// though a version's bytes never change. A variant read back is decoded and compared with the
/// file before it is used, so a damaged or altered cache file is never served (it is rebuilt).
/// The cache is best effort: when it cannot be read or written the variant is computed as before.
/// </summary>
internal sealed partial class CompressedVariants(HostPaths paths, ILogger<CompressedVariants> logger)
{
    /// <summary>
    /// The variant <paramref name="kind"/> (e.g. <c>br11</c>, <c>gz9</c>) of <paramref name="content"/>,
    /// whose lower-case hex SHA-256 is <paramref name="sha256"/>: from the cache when it decodes to
    /// exactly <paramref name="content"/>, else from <paramref name="compress"/> (and then stored).
    /// </summary>
    public byte[] Get(string sha256, string kind, byte[] content, Func<byte[], byte[]> compress)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(compress);
        var file = Path.Combine(paths.VariantCacheDir, sha256[..2], sha256 + "." + kind);
        try
        {
            if (File.Exists(file))
            {
                var stored = File.ReadAllBytes(file);
                if (DecodesTo(stored, kind, content))
                {
                    return stored;
                }

                LogDiscarded(logger, file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnavailable(logger, file, ex);
        }

        var fresh = compress(content);
        TryStore(file, fresh);
        return fresh;
    }

    private static bool DecodesTo(byte[] encoded, string kind, byte[] content)
    {
        try
        {
            using var input = new MemoryStream(encoded, writable: false);
            using Stream decoder = kind.StartsWith("br", StringComparison.Ordinal)
                ? new BrotliStream(input, CompressionMode.Decompress)
                : new GZipStream(input, CompressionMode.Decompress);

            // One byte more than the file: a variant that decodes to something longer is caught too.
            var decoded = new byte[content.Length + 1];
            var total = 0;
            int read;
            while (total < decoded.Length && (read = decoder.Read(decoded, total, decoded.Length - total)) > 0)
            {
                total += read;
            }

            return total == content.Length && decoded.AsSpan(0, total).SequenceEqual(content);
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private void TryStore(string file, byte[] bytes)
    {
        var temp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A full disk or a read-only data directory: the variant was computed; the next start computes it again.
            LogUnavailable(logger, file, ex);
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do; a leftover .tmp is ignored by Get.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compressed plugin file variant {File} does not decode to its file; rebuilt")]
    private static partial void LogDiscarded(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Compressed plugin file variant cache unavailable at {File}; compressed in memory instead")]
    private static partial void LogUnavailable(ILogger logger, string file, Exception exception);
}
