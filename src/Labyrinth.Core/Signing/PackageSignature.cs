using Labyrinth.Core.Packages;

namespace Labyrinth.Core.Signing;

/// <summary>What a package's SIGNATURE says about it, judged against a trust store.</summary>
public abstract record SignatureVerdict
{
    private SignatureVerdict()
    {
    }

    /// <summary>Signed by a trusted key; <see cref="KeyName"/> is what the UI shows.</summary>
    public sealed record Trusted(string KeyName, string KeyId) : SignatureVerdict;

    /// <summary>No SIGNATURE file; installable only if the admin allowlisted the plugin id.</summary>
    public sealed record Unsigned : SignatureVerdict;

    /// <summary>Validly signed, but by a key that is not in the trust store.</summary>
    public sealed record UntrustedKey(string KeyId) : SignatureVerdict;

    /// <summary>SIGNATURE is present but not a well-formed signature file.</summary>
    public sealed record Invalid(string Reason) : SignatureVerdict;

    /// <summary>The signature does not match the files: something was changed, added, removed or renamed after signing.</summary>
    public sealed record Tampered(string KeyId) : SignatureVerdict;
}

/// <summary>Signs and verifies package file lists (see <see cref="PackageDigest"/>).</summary>
public static class PackageSignature
{
    /// <summary>Produces the bytes of the SIGNATURE file for <paramref name="files"/>.</summary>
    public static byte[] Sign(IEnumerable<PackageFile> files, PublisherKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(PackageDigest.Compute(files));
        return new SignatureFile(key.KeyId, key.PublicKey, signature).ToJsonBytes();
    }

    /// <summary>
    /// Judges a package. The signature is checked before trust so that "untrusted key" is only
    /// ever said of a signature that is genuine — an admin may then decide to trust that key.
    /// </summary>
    public static SignatureVerdict Verify(IEnumerable<PackageFile> files, byte[]? signatureBytes, TrustStore trustStore)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(trustStore);
        if (signatureBytes is null)
        {
            return new SignatureVerdict.Unsigned();
        }

        var signature = SignatureFile.Parse(signatureBytes, out var problem);
        if (signature is null)
        {
            return new SignatureVerdict.Invalid(problem!);
        }

        if (!PublisherKey.Verify(signature.PublicKey, PackageDigest.Compute(files), signature.Signature))
        {
            return new SignatureVerdict.Tampered(signature.KeyId);
        }

        return trustStore.Find(signature.PublicKey) is { } trusted
            ? new SignatureVerdict.Trusted(trusted.Name, trusted.KeyId)
            : new SignatureVerdict.UntrustedKey(signature.KeyId);
    }
}
