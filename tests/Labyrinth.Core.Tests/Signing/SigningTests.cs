using System.Text;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;
using Labyrinth.Core.Tests.Packages;

namespace Labyrinth.Core.Tests.Signing;

public sealed class SigningTests
{
    private static readonly PackageFile[] Files =
    [
        PackageDigest.Describe("manifest.json", "{\"id\":\"com.example.hello\"}"u8),
        PackageDigest.Describe("cards/hello.js", "export default 1;"u8),
        PackageDigest.Describe("assets/logo.svg", "<svg/>"u8),
    ];

    private static (PublisherKey Key, TrustStore Trust, byte[] Signature) Signed()
    {
        var key = PublisherKey.Generate("Example Publisher");
        return (key, new TrustStore([new TrustedKey(key.Name, key.PublicKey)]), PackageSignature.Sign(Files, key));
    }

    [Fact]
    public void CanonicalText_Files_SortedOrdinallyWithoutSignature()
    {
        var text = PackageDigest.CanonicalText([.. Files, PackageDigest.Describe("SIGNATURE", "{}"u8), PackageDigest.Describe("B.js", "b"u8)]);

        var paths = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]);
        Assert.Equal(["B.js", "assets/logo.svg", "cards/hello.js", "manifest.json"], paths);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_SignatureFileChanged_DigestUnchanged() =>
        Assert.Equal(PackageDigest.Compute(Files), PackageDigest.Compute([.. Files, PackageDigest.Describe("SIGNATURE", "x"u8)]));

    [Fact]
    public void Verify_SignedByTrustedKey_IsTrustedWithKeyName()
    {
        var (key, trust, signature) = Signed();
        using (key)
        {
            var verdict = Assert.IsType<SignatureVerdict.Trusted>(PackageSignature.Verify(Files, signature, trust));
            Assert.Equal("Example Publisher", verdict.KeyName);
            Assert.Equal(key.KeyId, verdict.KeyId);
        }
    }

    [Fact]
    public void Verify_FileContentChangedAfterSigning_IsTampered()
    {
        var (key, trust, signature) = Signed();
        using (key)
        {
            PackageFile[] changed = [Files[0], PackageDigest.Describe("cards/hello.js", "export default 2;"u8), Files[2]];
            Assert.IsType<SignatureVerdict.Tampered>(PackageSignature.Verify(changed, signature, trust));
        }
    }

    [Fact]
    public void Verify_FileAddedAfterSigning_IsTampered()
    {
        var (key, trust, signature) = Signed();
        using (key)
        {
            Assert.IsType<SignatureVerdict.Tampered>(PackageSignature.Verify([.. Files, PackageDigest.Describe("extra.js", "1"u8)], signature, trust));
        }
    }

    [Fact]
    public void Verify_FileRemovedAfterSigning_IsTampered()
    {
        var (key, trust, signature) = Signed();
        using (key)
        {
            Assert.IsType<SignatureVerdict.Tampered>(PackageSignature.Verify(Files[..2], signature, trust));
        }
    }

    [Fact]
    public void Verify_FileRenamedAfterSigning_IsTampered()
    {
        var (key, trust, signature) = Signed();
        using (key)
        {
            PackageFile[] renamed = [Files[0], Files[1] with { Path = "cards/other.js" }, Files[2]];
            Assert.IsType<SignatureVerdict.Tampered>(PackageSignature.Verify(renamed, signature, trust));
        }
    }

    [Fact]
    public void Verify_SignatureClaimsAnotherTrustedKey_IsTampered()
    {
        using var signer = PublisherKey.Generate("Mallory");
        using var victim = PublisherKey.Generate("Trusted Co");
        var trust = new TrustStore([new TrustedKey(victim.Name, victim.PublicKey)]);
        var forged = new SignatureFile(victim.KeyId, victim.PublicKey, signer.Sign(PackageDigest.Compute(Files))).ToJsonBytes();

        Assert.IsType<SignatureVerdict.Tampered>(PackageSignature.Verify(Files, forged, trust));
    }

    [Fact]
    public void Verify_GenuineSignatureByUnknownKey_IsUntrustedKey()
    {
        var (key, _, signature) = Signed();
        using (key)
        {
            using var other = PublisherKey.Generate("Someone else");
            var verdict = PackageSignature.Verify(Files, signature, new TrustStore([new TrustedKey(other.Name, other.PublicKey)]));
            Assert.Equal(key.KeyId, Assert.IsType<SignatureVerdict.UntrustedKey>(verdict).KeyId);
        }
    }

    [Fact]
    public void Verify_NoSignature_IsUnsigned() =>
        Assert.IsType<SignatureVerdict.Unsigned>(PackageSignature.Verify(Files, null, TrustStore.Empty));

    public static TheoryData<string> MalformedSignatures()
    {
        var key = Convert.ToBase64String(new byte[32]);
        var id = SignatureFile.KeyIdOf(new byte[32]);
        var sig = Convert.ToBase64String(new byte[64]);
        return new TheoryData<string>
        {
            "not json",
            "[]",
            $$"""{"algorithm":"ed25519","keyId":"{{id}}","publicKey":"{{key}}","signature":"{{sig}}","extra":"x"}""",
            $$"""{"algorithm":"rsa","keyId":"{{id}}","publicKey":"{{key}}","signature":"{{sig}}"}""",
            $$"""{"algorithm":"ed25519","keyId":"{{id}}","publicKey":"{{Convert.ToBase64String(new byte[31])}}","signature":"{{sig}}"}""",
            $$"""{"algorithm":"ed25519","keyId":"{{id}}","publicKey":"{{key}}","signature":"{{Convert.ToBase64String(new byte[65])}}"}""",
            $$"""{"algorithm":"ed25519","keyId":"0000000000000000","publicKey":"{{key}}","signature":"{{sig}}"}""",
            $$"""{"algorithm":"ed25519","keyId":"{{id}}","publicKey":"{{key}}"}""",
            $$"""{"algorithm":"ed25519","algorithm":"ed25519","keyId":"{{id}}","publicKey":"{{key}}","signature":"{{sig}}"}""",
            $$"""{"algorithm":"ed25519","keyId":"{{id}}","publicKey":"%%%","signature":"{{sig}}"}""",
            $$"""{"algorithm":"ed25519","keyId":"{{id}}","publicKey":"{{key}}","signature":64}""",
        };
    }

    [Theory]
    [MemberData(nameof(MalformedSignatures))]
    public void Verify_MalformedSignatureFile_IsInvalidWithReason(string json)
    {
        var verdict = PackageSignature.Verify(Files, Encoding.UTF8.GetBytes(json), TrustStore.Empty);
        Assert.False(string.IsNullOrWhiteSpace(Assert.IsType<SignatureVerdict.Invalid>(verdict).Reason));
    }

    [Fact]
    public void ImportKeyFile_ExportedKey_SignsVerifiably()
    {
        using var key = PublisherKey.Generate("Local publisher");
        using var imported = PublisherKey.ImportKeyFile(key.ExportKeyFile());

        Assert.Equal(key.Name, imported.Name);
        Assert.Equal(key.PublicKey, imported.PublicKey);
        Assert.True(PublisherKey.Verify(key.PublicKey, "digest"u8, imported.Sign("digest"u8)));
    }

    [Fact]
    public void ImportPrivateKey_RawSeed_GivesSamePublicKey()
    {
        using var key = PublisherKey.Generate("k");
        using var imported = PublisherKey.ImportPrivateKey("k", key.ExportPrivateKey());
        Assert.Equal(key.PublicKey, imported.PublicKey);
        Assert.Equal(32, key.ExportPrivateKey().Length);
    }

    [Fact]
    public void ImportKeyFile_PublicKeyNotMatchingPrivateKey_Throws()
    {
        using var a = PublisherKey.Generate("a");
        using var b = PublisherKey.Generate("b");
        var fields = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(a.ExportKeyFile())!;
        fields["publicKey"] = Convert.ToBase64String(b.PublicKey);
        Assert.Throws<FormatException>(() => PublisherKey.ImportKeyFile(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(fields)));
    }

    [Fact]
    public void Verify_WrongSignatureLength_IsFalse() =>
        Assert.False(PublisherKey.Verify(new byte[32], "d"u8, new byte[10]));

    [Fact]
    public void Verify_PackageReadFromZip_IsTrusted()
    {
        using var key = PublisherKey.Generate("Local");
        var manifest = RawZip.Manifest();
        var js = new RawZipEntry("cards/a.js", "export default 1;");
        var signature = PackageSignature.Sign([PackageDigest.Describe(PackageReader.ManifestPath, manifest.Content), PackageDigest.Describe("cards/a.js", js.Content)], key);
        var zip = RawZip.Build(manifest, js, new RawZipEntry(PackageReader.SignaturePath, signature));
        var dir = Directory.CreateTempSubdirectory("labyrinth-sig-test-").FullName;
        try
        {
            var read = PackageReader.Read(new MemoryStream(zip), dir);

            var verdict = PackageSignature.Verify(read.Files, read.SignatureBytes, new TrustStore([new TrustedKey("Local", key.PublicKey)]));

            Assert.Equal("Local", Assert.IsType<SignatureVerdict.Trusted>(verdict).KeyName);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
