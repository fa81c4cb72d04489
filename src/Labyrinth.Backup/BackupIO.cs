using System.Security.Cryptography;

namespace Labyrinth.Backup;

/// <summary>File and stream helpers every step shares: private files and folders, and copies that hash and count as they go.</summary>
internal static class BackupIO
{
    private const int BufferSize = 81920;

    /// <summary>rw------- : only the owner reads a file that can hold keys or the database.</summary>
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Zip external attributes of a regular file with mode 600, so <c>unzip</c> recreates key files private.</summary>
    public const int PrivateFileAttributes = unchecked((int)((0x8000u | 0x180u) << 16));

    /// <summary>Creates a new file with mode 600 from its first byte (never chmod-ed later); fails if it exists.</summary>
    public static FileStream CreatePrivateFile(string path)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = BufferSize,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }

        return new FileStream(path, options);
    }

    public static FileStream CreateFile(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = BufferSize, Options = FileOptions.Asynchronous });

    public static FileStream OpenRead(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read | FileShare.Delete, BufferSize = BufferSize, Options = FileOptions.Asynchronous });

    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, PrivateDirectory);
        }
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (or nowhere), hashing and
    /// counting. Reading stops one byte past <paramref name="maxBytes"/>, so a part that lies about its
    /// size cannot make the copy run on; the caller compares the count with what it expected.
    /// </summary>
    public static async Task<(long Bytes, string Sha256)> CopyAsync(Stream source, Stream? destination, long maxBytes, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long total = 0;
        while (total <= maxBytes)
        {
            var want = (int)Math.Min(buffer.Length, maxBytes - total + 1);
            var read = await source.ReadAsync(buffer.AsMemory(0, want), ct);
            if (read == 0)
            {
                break;
            }

            total += read;
            sha.AppendData(buffer, 0, read);
            if (destination is not null)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }

        return (total, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>Deletes a folder and everything in it, ignoring what is already gone.</summary>
    public static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static void DeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public static string Size(long bytes) => BackupFormat.FormatBytes(bytes);
}

/// <summary>
/// The archive's output: counts what passes through to a stream that cannot tell its own position
/// (an HTTP response), and keeps every write to it asynchronous. ZipArchive writes entry data
/// asynchronously but some small records (headers, descriptors, the central directory)
/// synchronously; those are held here and go out with the next asynchronous write or flush, so a
/// server that forbids synchronous I/O never blocks a thread on a slow client.
/// </summary>
internal sealed class ArchiveOutputStream(Stream inner) : Stream
{
    private readonly MemoryStream pending = new();

    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    /// <summary>Deliberately nothing: the pending bytes go out with <see cref="FlushAsync(CancellationToken)"/>.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        pending.Write(buffer);
        Written += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async Task DrainAsync(CancellationToken ct)
    {
        if (pending.Length > 0)
        {
            await inner.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), ct);
            pending.SetLength(0);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
