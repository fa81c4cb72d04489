using System.Reflection;
using System.Reflection.PortableExecutable;

namespace Labyrinth.Host.Tests.Infrastructure;

/// <summary>
/// The Release build compiles the host ahead of time once it has built (LabyrinthReadyToRun in the
/// host's project; Debug and -p:LabyrinthReadyToRun=false stay IL only). The assembly these tests
/// load is the one the host's build left in its output folder, so it is the precompiled image exactly
/// when that build asked for one: a build that silently skipped the step (the copy over the IL not
/// made, the images not found) would start with ~10,000 methods to JIT again.
/// </summary>
public sealed class ReadyToRunTests
{
    [Fact]
    public void HostAssembly_AsBuilt_IsReadyToRunExactlyWhenTheBuildAskedForIt()
    {
        var host = typeof(Program).Assembly;
        var asked = host.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Labyrinth.ReadyToRunAfterBuild").Value;

        Assert.Contains(asked, new[] { "true", "false" });
        Assert.Equal(asked == "true", HasPrecompiledCode(host.Location));
    }

    [Fact]
    public void PrecompiledCodeCheck_PlainIlAssembly_IsNotReadyToRun()
    {
        // The test assembly is never precompiled: the check above must be able to say no.
        Assert.False(HasPrecompiledCode(typeof(ReadyToRunTests).Assembly.Location));
    }

    /// <summary>A ReadyToRun image carries a managed native header beside its IL (crossgen2 writes it).</summary>
    private static bool HasPrecompiledCode(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
