namespace Labyrinth.Core.Packages;

/// <summary>
/// An entry's compressed bytes, read-only, that also tells where the deflate stream reading it
/// ended. <see cref="System.IO.Compression.DeflateStream"/> ignores bytes after the end of a
/// deflate stream and stops quietly when a stream is cut off; a streaming zip reader does
/// neither. So the last byte is handed over on its own: a stream that ends exactly at the
/// declared size asks for it and then stops, one that ends earlier never asks for it
/// (<see cref="Served"/> falls short), and one that is cut off asks past the end
/// (<see cref="AskedPastEnd"/>).
/// </summary>
internal sealed class CompressedInput(byte[] archive, int offset, int count) : Stream
{
    public int Served { get; private set; }

    public bool AskedPastEnd { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var remaining = count - Served;
        if (remaining == 0)
        {
            AskedPastEnd = true;
            return 0;
        }

        if (buffer.IsEmpty)
        {
            return 0;
        }

        var n = remaining == 1 ? 1 : Math.Min(buffer.Length, remaining - 1);
        archive.AsSpan(offset + Served, n).CopyTo(buffer);
        Served += n;
        return n;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
