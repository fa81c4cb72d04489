using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Packages;

namespace Labyrinth.Core.Tests.Packages;

/// <summary>
/// Archives that two zip readers would read differently: appended and prepended archives,
/// headers that disagree, extra fields some readers honour, deflate streams that do not end
/// where the headers say. Each must be refused with a sentence that names the entry and the rule.
/// </summary>
public sealed class PackageReaderDifferentialTests
{
    private static PackageProblem AssertRefused(byte[] zip, string code)
    {
        var dir = Directory.CreateTempSubdirectory("labyrinth-pkg-test-").FullName;
        try
        {
            var result = PackageReader.Read(new MemoryStream(zip), dir);
            Assert.False(result.IsValid);
            Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
            var problem = Assert.Single(result.Problems);
            Assert.Equal(code, problem.Code);
            return problem;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static PackageReadResult Read(byte[] zip)
    {
        var dir = Directory.CreateTempSubdirectory("labyrinth-pkg-test-").FullName;
        try
        {
            return PackageReader.Read(new MemoryStream(zip), dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] Small() => RawZip.Build(RawZip.Manifest(), new RawZipEntry("cards/x.js", "export default 1;"));

    [Fact]
    public void Read_SecondArchiveAppendedWithMovedOffsets_IsRefusedAsBytesOfNoEntry()
    {
        var first = RawZip.Build(RawZip.Manifest(), new RawZipEntry("cards/x.js", "export default 1;"));
        var second = RawZip.Build(RawZip.Manifest(), new RawZipEntry("cards/x.js", "steal();"));

        var problem = AssertRefused(RawZip.Append(first, second), ErrorCodes.PackageMalformed);

        Assert.Contains(FormattableString.Invariant($"Bytes 0–{first.Length - 1} come before the first entry"), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ExecutablePrefixWithMovedOffsets_IsRefusedAsPolyglot()
    {
        var stub = Encoding.ASCII.GetBytes("MZ\u0090\0This program cannot be run in DOS mode.");
        var problem = AssertRefused(RawZip.Append(stub, Small()), ErrorCodes.PackageMalformed);

        Assert.Contains("does not start with a zip local file header", problem.Message, StringComparison.Ordinal);
        Assert.Contains("a Windows executable", problem.Message, StringComparison.Ordinal);
        Assert.Contains("polyglot", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HtmlPrefixWithoutMovedOffsets_IsRefused()
    {
        var zip = Encoding.ASCII.GetBytes("<html><body>hello</body></html>").Concat(Small()).ToArray();
        var problem = AssertRefused(zip, ErrorCodes.PackageMalformed);

        Assert.Contains("markup", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BytesAfterEndOfCentralDirectory_AreRefused()
    {
        var problem = AssertRefused([.. Small(), .. "trailing"u8], ErrorCodes.PackageMalformed);

        Assert.Contains("Bytes follow the end of the zip archive", problem.Message, StringComparison.Ordinal);
        Assert.Contains("8 bytes follow it", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ArchiveCommentHidingAnEndRecord_IsRefused()
    {
        var zip = RawZip.Build([RawZip.Manifest()], comment: [0x50, 0x4B, 0x05, 0x06, 0, 0, 0, 0]);

        var problem = AssertRefused(zip, ErrorCodes.PackageMalformed);

        Assert.Contains("archive comment holds a zip record signature (PK\\x05\\x06", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TwoEndRecordsThatBothEndTheFile_AreRefused()
    {
        // The only entry stores an end record whose comment length reaches the end of the file
        // as well: a reader that takes the first end record it finds reads that one.
        const int innerAt = 30 + 5, total = innerAt + 22 + 46 + 5 + 22;
        var inner = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(inner, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(inner.AsSpan(20), total - innerAt - 22);
        var zip = RawZip.Build(new RawZipEntry("a.txt", inner) { Deflate = false });
        Assert.Equal(total, zip.Length);

        var problem = AssertRefused(zip, ErrorCodes.PackageMalformed);

        Assert.Equal("The package has two end-of-central-directory records that both end the file (at offsets 35 and 108); readers would disagree on which archive it is.", problem.Message);
    }

    [Fact]
    public void Read_PlainArchiveComment_IsAccepted() =>
        Assert.True(Read(RawZip.Build([RawZip.Manifest()], comment: "built by hand"u8.ToArray())).IsValid);

    [Fact]
    public void Read_HiddenBytesBetweenEntries_AreRefused()
    {
        // Five bytes follow entry 1's data that neither header counts; entry 2 starts after them.
        var manifest = RawZip.Manifest();
        var compressed = RawZip.Compress(manifest.Content).Length;
        var firstLength = 30 + manifest.RawName.Length + compressed;
        manifest.TrailingData = [1, 2, 3, 4, 5];
        manifest.CompressedSizeOverride = (uint)compressed;
        var zip = RawZip.Build(manifest, new RawZipEntry("cards/x.js", "export default 1;"));

        var problem = AssertRefused(zip, ErrorCodes.PackageMalformed);

        Assert.Equal(FormattableString.Invariant($"Bytes {firstLength}–{firstLength + 4}, between entry 1 (manifest.json) and entry 2 (cards/x.js), belong to no entry: hidden data that a reader walking local headers would see."), problem.Message);
    }

    [Fact]
    public void Read_EndRecordCountsFewerEntriesThanTheDirectory_NamesBothCounts()
    {
        var zip = Small();
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(zip.Length - 22 + 8), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(zip.Length - 22 + 10), 1);

        var problem = AssertRefused(zip, ErrorCodes.PackageMalformed);

        Assert.StartsWith("The end-of-central-directory record says the archive has 1 entries, but the central directory holds more", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EndRecordCountsMoreEntriesThanTheDirectory_NamesBothCounts()
    {
        var zip = Small();
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(zip.Length - 22 + 8), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(zip.AsSpan(zip.Length - 22 + 10), 3);

        var problem = AssertRefused(zip, ErrorCodes.PackageMalformed);

        Assert.Equal("The end-of-central-directory record says the archive has 3 entries, but the central directory holds only 2.", problem.Message);
    }

    [Fact]
    public void Read_LocalHeaderClaimsFourGigabytes_NamesTheEntryAndBothSizes()
    {
        var js = new RawZipEntry("cards/x.js", new byte[120]) { Deflate = false, LocalDeclaredSize = uint.MaxValue };
        var zip = RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1"), js);

        var problem = AssertRefused(zip, ErrorCodes.PackageHeaderMismatch);

        Assert.Equal("Entry 3 (cards/x.js): the local header says 4294967295 bytes but the central directory says 120.", problem.Message);
        Assert.Equal("cards/x.js", problem.Entry);
    }

    [Fact]
    public void Read_LocalHeaderCompressedSizeDiffers_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "export default 1;") { LocalCompressedSize = 3 }), ErrorCodes.PackageHeaderMismatch);
        Assert.Contains("the local header says 3 compressed bytes but the central directory says", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LocalHeaderCrcDiffers_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { LocalCrc = 0xDEADBEEF }), ErrorCodes.PackageHeaderMismatch);
        Assert.Contains("the local header says CRC-32 deadbeef", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LocalHeaderFlagsDiffer_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { LocalFlags = 0x0801 }), ErrorCodes.PackageHeaderMismatch);
        Assert.Equal("Entry 2 (a.js): its local header has flags 0x0801 but the central directory says 0x0800.", problem.Message);
    }

    [Fact]
    public void Read_LocalHeaderMethodDiffers_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { LocalMethod = 0 }), ErrorCodes.PackageHeaderMismatch);
        Assert.Contains("its local header says compression method 0 but the central directory says 8", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Zip64ExtraField_IsRefused()
    {
        byte[] zip64 = [0x01, 0x00, 0x08, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0];
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { CentralExtra = zip64 }), ErrorCodes.PackageUnsupported);
        Assert.Contains("zip64 extra field (0x0001)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnicodePathExtraFieldInLocalHeader_IsRefused()
    {
        var other = Encoding.UTF8.GetBytes("evil.exe");
        byte[] unicodePath = [0x75, 0x70, (byte)(5 + other.Length), 0, 1, 0, 0, 0, 0, .. other];
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { LocalExtra = unicodePath }), ErrorCodes.PackageUnsupported);
        Assert.Contains("Info-ZIP Unicode Path extra field (0x7075)", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MalformedExtraField_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { CentralExtra = [0x99, 0x99, 0x10, 0x00, 1] }), ErrorCodes.PackageUnsupported);
        Assert.Contains("extra field is malformed: block 0x9999 at byte 0 claims 16 bytes but only 1 remain", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonAsciiNameWithoutUtf8Flag_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("café.js", "1") { Flags = 0 }), ErrorCodes.PackageInvalidName);
        Assert.Contains("code page 437", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonAsciiNameWithUtf8Flag_IsAccepted() =>
        Assert.True(Read(RawZip.Build(RawZip.Manifest(), new RawZipEntry("café.js", "1"))).IsValid);

    [Fact]
    public void Read_FileNameWithFolderAttribute_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { ExternalAttributes = 0x10 }), ErrorCodes.PackageHeaderMismatch);
        Assert.Contains("its attributes say folder", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeflateStreamEndingBeforeItsCompressedSize_IsRefused()
    {
        var entry = new RawZipEntry("a.js", "export default 1;") { TrailingData = [0xAA, 0xBB, 0xCC] };

        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), entry), ErrorCodes.PackageMalformed);

        var compressed = RawZip.Compress(entry.Content).Length;
        Assert.StartsWith(FormattableString.Invariant($"Entry 2 (a.js): its deflate stream ends before the last of its {compressed + 3} compressed bytes;"), problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeflateStreamCutOffWithMatchingSizeAndCrc_IsRefused()
    {
        // Without its final end-of-block code the stream still inflates to the whole content,
        // but a streaming reader would go on reading the next entry's header as deflate data.
        var content = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("export const a = 1;\n", 50)));
        var full = RawZip.Compress(content);
        var cut = FindCutThatStillInflates(full, content);
        var entry = new RawZipEntry("a.js", content) { DataOverride = cut };

        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), entry), ErrorCodes.PackageMalformed);

        Assert.Contains("Entry 2 (a.js): its deflate stream is cut off", problem.Message, StringComparison.Ordinal);
    }

    private static byte[] FindCutThatStillInflates(byte[] full, byte[] content)
    {
        for (var length = full.Length - 1; length > 0; length--)
        {
            using var inflate = new DeflateStream(new MemoryStream(full[..length]), CompressionMode.Decompress);
            using var output = new MemoryStream();
            try
            {
                inflate.CopyTo(output);
            }
            catch (InvalidDataException)
            {
                continue;
            }

            if (output.ToArray().AsSpan().SequenceEqual(content))
            {
                return full[..length];
            }
        }

        throw new InvalidOperationException("No cut of the stream inflates to the whole content.");
    }

    [Fact]
    public void Read_DeflatedEntryWithNoBytes_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", []) { DataOverride = [] }), ErrorCodes.PackageMalformed);
        Assert.Contains("deflated but has no compressed bytes", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ConsistentDataDescriptor_IsAccepted()
    {
        var content = "export default 1;"u8.ToArray();
        var entry = new RawZipEntry("a.js", content)
        {
            Flags = 0x0808,
            LocalCrc = 0,
            LocalCompressedSize = 0,
            LocalDeclaredSize = 0,
            Descriptor = (RawZip.Crc(content), (uint)RawZip.Compress(content).Length, (uint)content.Length),
        };

        var result = Read(RawZip.Build(RawZip.Manifest(), entry));

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
    }

    [Fact]
    public void Read_ZipArchiveWrittenToAStream_WithDataDescriptors_IsAccepted()
    {
        // ZipArchive writes data descriptors when it cannot seek back, as streaming zip writers do.
        using var output = new UnseekableStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (path, text) in new[] { ("manifest.json", "{}"), ("cards/x.js", "export default 1;") })
            {
                using var stream = zip.CreateEntry(path).Open();
                stream.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        var bytes = output.Inner.ToArray();
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)) & 0x0008);

        var result = Read(bytes);

        Assert.True(result.IsValid, string.Join("\n", result.Problems));
    }

    [Fact]
    public void Read_DataDescriptorDisagreeingWithCentralDirectory_IsRefused()
    {
        var content = "export default 1;"u8.ToArray();
        var entry = new RawZipEntry("a.js", content)
        {
            Flags = 0x0808,
            LocalCrc = 0,
            LocalCompressedSize = 0,
            LocalDeclaredSize = 0,
            Descriptor = (RawZip.Crc(content), (uint)RawZip.Compress(content).Length, 999),
        };

        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), entry), ErrorCodes.PackageHeaderMismatch);

        Assert.Equal(FormattableString.Invariant($"Entry 2 (a.js): the data descriptor says 999 bytes but the central directory says {content.Length}."), problem.Message);
    }

    [Fact]
    public void Read_DataDescriptorFlagWithoutDescriptor_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { Flags = 0x0808 }), ErrorCodes.PackageMalformed);
        Assert.Contains("flag bit 3 says a data descriptor follows its data, but there is no PK\\x07\\x08 descriptor", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StoredEntryWithDataDescriptor_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { Deflate = false, Flags = 0x0808 }), ErrorCodes.PackageUnsupported);
        Assert.Contains("stored with a data descriptor", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData((ushort)0x0801, "it is encrypted (flags 0x0801)")]
    [InlineData((ushort)0x0840, "it is encrypted (flags 0x0840)")]
    [InlineData((ushort)0x2800, "it is encrypted (flags 0x2800)")]
    [InlineData((ushort)0x0820, "it sets flag bits 0x0020")]
    public void Read_EncryptionOrUnknownFlags_AreRefusedByName(ushort flags, string sentence)
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { Flags = flags }), ErrorCodes.PackageUnsupported);
        Assert.Contains("Entry 2 (a.js): " + sentence, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EntryCommentHidingARecordSignature_IsRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { Comment = [0x50, 0x4B, 0x01, 0x02] }), ErrorCodes.PackageMalformed);
        Assert.Contains("its comment holds a zip record signature (PK\\x01\\x02", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cards/evil\u202Esj.png")]
    [InlineData("cards/\u2066x.js")]
    [InlineData("cards/x\u200F.js")]
    [InlineData("cards/x\u061C.js")]
    public void Read_BidiControlInName_IsRefused(string name)
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry(name, "1")), ErrorCodes.PackageInvalidName);
        Assert.Contains("bidirectional control character", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("con.js")]
    [InlineData("cards/NUL.txt")]
    [InlineData("aux/x.js")]
    [InlineData("cards/Com1.tar.json")]
    [InlineData("cards/lpt9.css")]
    [InlineData("cards/COM\u00B9.js")]
    [InlineData("cards/prn .js")]
    public void Read_WindowsDeviceName_IsRefused(string name)
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry(name, "1")), ErrorCodes.PackageInvalidName);
        Assert.Contains("Windows device name", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_EveryEntrySentence_NamesTheEntryByNumberAndName()
    {
        var result = Read(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1") { Crc = 7 }));

        Assert.StartsWith("Entry 2 (a.js): its content has CRC-32", Assert.Single(result.Problems).Message, StringComparison.Ordinal);
    }

    /// <summary>A write-only stream that cannot seek, so ZipArchive must use data descriptors.</summary>
    private sealed class UnseekableStream : Stream
    {
        public MemoryStream Inner { get; } = new();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);
    }
}
