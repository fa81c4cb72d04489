using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Packages;

namespace Labyrinth.Core.Tests.Packages;

public sealed class PackageReaderTests
{
    private static (PackageReadResult Result, string[] LeftOnDisk) Read(byte[] zip, PackageLimits? limits = null)
    {
        var dir = Directory.CreateTempSubdirectory("labyrinth-pkg-test-").FullName;
        try
        {
            var result = PackageReader.Read(new MemoryStream(zip), dir, limits);
            var left = Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(dir, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
            return (result, left);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Asserts the package was refused with exactly one problem of <paramref name="code"/> and nothing left on disk.</summary>
    private static PackageProblem AssertRefused(byte[] zip, string code, PackageLimits? limits = null)
    {
        var (result, left) = Read(zip, limits);
        Assert.False(result.IsValid);
        Assert.Empty(left);
        Assert.Empty(result.Files);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(code, problem.Code);
        return problem;
    }

    [Fact]
    public void Crc32_StandardCheckValue_Matches() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Read_PackageFromZipArchive_ExtractsEveryFileWithItsHash()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["manifest.json"] = "{\"id\":\"com.example.hello\"}"u8.ToArray(),
            ["cards/hello.js"] = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("export const x = 1;\n", 200))),
            ["assets/logo.svg"] = "<svg/>"u8.ToArray(),
            ["SIGNATURE"] = "{}"u8.ToArray(),
        };
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("cards/"); // directory records are tolerated, not extracted as files
            foreach (var (path, bytes) in files)
            {
                using var s = zip.CreateEntry(path).Open();
                s.Write(bytes);
            }
        }

        var dir = Directory.CreateTempSubdirectory("labyrinth-pkg-test-").FullName;
        try
        {
            var result = PackageReader.Read(new MemoryStream(ms.ToArray()), dir);

            Assert.Empty(result.Problems);
            Assert.Equal(files.Keys.Order(StringComparer.Ordinal), result.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
            foreach (var file in result.Files)
            {
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(files[file.Path])), file.Sha256Hex);
                Assert.Equal(files[file.Path].Length, file.Bytes);
                Assert.Equal(files[file.Path], File.ReadAllBytes(Path.Combine(dir, file.Path)));
            }

            Assert.Equal(files["manifest.json"], result.ManifestBytes);
            Assert.Equal(files["SIGNATURE"], result.SignatureBytes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Read_StoredAndDeflatedRawEntries_RoundTrip()
    {
        var zip = RawZip.Build(RawZip.Manifest(), new RawZipEntry("a/b/c.txt", "stored") { Deflate = false });

        var (result, left) = Read(zip);

        Assert.Empty(result.Problems);
        Assert.Null(result.SignatureBytes);
        Assert.Equal(["a", "a/b", "a/b/c.txt", "manifest.json"], left);
    }

    [Fact]
    public void Read_NotAZip_IsMalformed() =>
        AssertRefused("just some text, not a zip archive"u8.ToArray(), ErrorCodes.PackageMalformed);

    [Fact]
    public void Read_CompressedSizeOverLimit_IsTooLarge()
    {
        var zip = RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.txt", RandomNumberGenerator.GetBytes(4096)) { Deflate = false });
        AssertRefused(zip, ErrorCodes.PackageTooLarge, new PackageLimits { MaxCompressedBytes = 2048 });
    }

    [Fact]
    public void Read_ExpandedTotalOverLimit_IsTooLarge()
    {
        var zip = RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.txt", RandomNumberGenerator.GetBytes(4096)) { Deflate = false });
        AssertRefused(zip, ErrorCodes.PackageTooLarge, new PackageLimits { MaxExpandedBytes = 1024 });
    }

    [Fact]
    public void Read_MoreEntriesThanLimit_IsRefused()
    {
        var entries = Enumerable.Range(0, 5).Select(i => new RawZipEntry($"f{i}.txt", "x")).Append(RawZip.Manifest()).ToArray();
        AssertRefused(RawZip.Build(entries), ErrorCodes.PackageTooManyEntries, new PackageLimits { MaxEntries = 5 });
    }

    [Fact]
    public void Read_EntryInflatingPastRatioWithHonestHeaders_IsCaughtWhileInflating()
    {
        var bomb = new RawZipEntry("zeros.txt", new byte[4 * 1024 * 1024]);

        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), bomb), ErrorCodes.PackageRatioExceeded);

        Assert.Contains("zeros.txt", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NameWithInvalidUtf8Bytes_IsRefused()
    {
        var entry = new RawZipEntry("x", "x") { RawName = [0x61, 0xFF, 0xFE, 0x2E, 0x6A, 0x73] };

        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), entry), ErrorCodes.PackageInvalidName);

        Assert.Contains("61FFFE2E6A73", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/etc/passwd.txt")]
    [InlineData("../escape.js")]
    [InlineData("cards/../../escape.js")]
    [InlineData("cards\\hello.js")]
    [InlineData("C:/hello.js")]
    [InlineData("cards//hello.js")]
    [InlineData("cards/./hello.js")]
    public void Read_EscapingOrMalformedPath_IsRefused(string name)
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry(name, "x")), ErrorCodes.PackageInvalidName);
        Assert.Contains(name, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_SymlinkEntry_IsRefused()
    {
        var link = new RawZipEntry("cards/link.js", "/etc/passwd") { ExternalAttributes = 0xA1FFu << 16 };
        AssertRefused(RawZip.Build(RawZip.Manifest(), link), ErrorCodes.PackageSymlink);
    }

    [Fact]
    public void Read_DuplicateName_IsRefused() =>
        AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1"), new RawZipEntry("a.js", "2")), ErrorCodes.PackageDuplicateName);

    [Fact]
    public void Read_NamesDifferingOnlyInCase_AreRefused()
    {
        var problem = AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("Cards/A.js", "1"), new RawZipEntry("cards/a.js", "2")), ErrorCodes.PackageDuplicateName);
        Assert.Contains("only in case", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FileThatIsAlsoAFolder_IsRefused() =>
        AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.js", "1"), new RawZipEntry("a.js/b.js", "2")), ErrorCodes.PackageDuplicateName);

    [Theory]
    [InlineData("run.exe")]
    [InlineData("install.sh")]
    [InlineData("Makefile")]
    [InlineData("cards/SIGNATURE")]
    [InlineData("cards/manifest.json.bak")]
    public void Read_DisallowedFileType_IsRefused(string name) =>
        AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry(name, "x")), ErrorCodes.PackageExtensionNotAllowed);

    [Fact]
    public void Read_EntriesWhoseByteRangesOverlap_AreRefused()
    {
        var content = new byte[1000];
        var second = new RawZipEntry("b.txt", content);
        var secondRecordLength = 30 + second.RawName.Length + RawZip.Compress(content).Length;
        var first = new RawZipEntry("a.txt", content);
        first.CompressedSizeOverride = (uint)(RawZip.Compress(content).Length + secondRecordLength);

        var problem = AssertRefused(RawZip.Build(first, second, RawZip.Manifest()), ErrorCodes.PackageOverlappingEntries);

        Assert.Equal("b.txt", problem.Entry);
    }

    [Fact]
    public void Read_DeclaredSizeSmallerThanContent_IsCaughtWhileInflating()
    {
        var liar = new RawZipEntry("a.txt", RandomNumberGenerator.GetBytes(5000)) { DeclaredSize = 100 };
        AssertRefused(RawZip.Build(RawZip.Manifest(), liar), ErrorCodes.PackageSizeMismatch);
    }

    [Fact]
    public void Read_DeclaredSizeLargerThanContent_IsRefused()
    {
        var liar = new RawZipEntry("a.txt", RandomNumberGenerator.GetBytes(100)) { DeclaredSize = 200 };
        AssertRefused(RawZip.Build(RawZip.Manifest(), liar), ErrorCodes.PackageSizeMismatch);
    }

    [Fact]
    public void Read_WrongCrc_IsRefused()
    {
        var entry = new RawZipEntry("a.txt", "hello") { Crc = 0xDEADBEEF };
        AssertRefused(RawZip.Build(RawZip.Manifest(), entry), ErrorCodes.PackageCrcMismatch);
    }

    [Fact]
    public void Read_LocalNameDifferentFromCentralName_IsRefused()
    {
        var entry = new RawZipEntry("a.txt", "hello") { LocalName = "../a.txt"u8.ToArray() };
        AssertRefused(RawZip.Build(RawZip.Manifest(), entry), ErrorCodes.PackageHeaderMismatch);
    }

    [Fact]
    public void Read_EncryptedEntry_IsUnsupported() =>
        AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.txt", "x") { Flags = 0x0801 }), ErrorCodes.PackageUnsupported);

    [Fact]
    public void Read_Bzip2Method_IsUnsupported() =>
        AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.txt", "x") { Method = 12 }), ErrorCodes.PackageUnsupported);

    [Fact]
    public void Read_Zip64Sizes_AreUnsupported() =>
        AssertRefused(RawZip.Build(RawZip.Manifest(), new RawZipEntry("a.txt", "x") { DeclaredSize = uint.MaxValue }), ErrorCodes.PackageUnsupported);

    [Fact]
    public void Read_MultiDiskArchive_IsUnsupported()
    {
        var zip = RawZip.Build(RawZip.Manifest());
        zip[zip.Length - 22 + 4] = 1; // "number of this disk" in the EOCD
        AssertRefused(zip, ErrorCodes.PackageUnsupported);
    }

    [Fact]
    public void Read_NoManifest_IsRefused() =>
        AssertRefused(RawZip.Build(new RawZipEntry("a.txt", "x")), ErrorCodes.PackageManifestMissing);

    [Fact]
    public void Read_ManifestOverLimit_IsRefused()
    {
        var big = new RawZipEntry("manifest.json", RandomNumberGenerator.GetBytes(300 * 1024)) { Deflate = false };
        AssertRefused(RawZip.Build(big), ErrorCodes.PackageManifestTooLarge);
    }

    [Fact]
    public void Read_SeveralBadEntries_ReportsOneProblemPerEntry()
    {
        var zip = RawZip.Build(
            RawZip.Manifest(),
            new RawZipEntry("../a.js", "x") { ExternalAttributes = 0xA1FFu << 16 },
            new RawZipEntry("b.exe", "x"),
            new RawZipEntry("c.txt", "x") { Crc = 1 });

        var (result, left) = Read(zip);

        Assert.Empty(left);
        Assert.Equal([ErrorCodes.PackageInvalidName, ErrorCodes.PackageExtensionNotAllowed], result.Problems.Select(p => p.Code));
    }

    [Fact]
    public void Read_BadEntryAfterGoodOnes_LeavesNothingOnDisk()
    {
        var zip = RawZip.Build(RawZip.Manifest(), new RawZipEntry("a/ok.js", "1"), new RawZipEntry("a/bad.js", "2") { Crc = 7 });
        AssertRefused(zip, ErrorCodes.PackageCrcMismatch);
    }

    [Fact]
    public void Read_NonEmptyDirectory_Throws()
    {
        var dir = Directory.CreateTempSubdirectory("labyrinth-pkg-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "x"), "x");
            Assert.Throws<ArgumentException>(() => PackageReader.Read(new MemoryStream(RawZip.Build(RawZip.Manifest())), dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
