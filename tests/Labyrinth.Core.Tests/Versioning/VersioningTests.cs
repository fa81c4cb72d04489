using Labyrinth.Core.Errors;
using Labyrinth.Core.Versioning;
using Semver;

namespace Labyrinth.Core.Tests.Versioning;

public sealed class VersioningTests
{
    private static PluginNode Node(string id, string version, params (string Id, string Range)[] deps) =>
        new(id, SemVersion.Parse(version, SemVersionStyles.Strict), deps.ToDictionary(d => d.Id, d => d.Range));

    [Fact]
    public void Resolve_Dependencies_LoadBeforeDependents()
    {
        var result = DependencyResolver.Resolve(
        [
            Node("app", "1.0.0", ("ui", "^2.0.0"), ("core", "~1.2.0")),
            Node("ui", "2.3.0", ("core", ">=1.0.0")),
            Node("core", "1.2.5"),
        ]);

        Assert.Empty(result.Problems);
        Assert.Equal(["core", "ui", "app"], result.LoadOrder.Select(n => n.Id));
    }

    [Fact]
    public void Resolve_IndependentPlugins_TiesBrokenById()
    {
        var result = DependencyResolver.Resolve([Node("c", "1.0.0"), Node("a", "1.0.0"), Node("b", "1.0.0", ("c", "*"))]);
        Assert.Equal(["a", "c", "b"], result.LoadOrder.Select(n => n.Id));
    }

    [Fact]
    public void Resolve_MissingDependency_NamesTheChain()
    {
        var result = DependencyResolver.Resolve([Node("a", "1.0.0", ("b", "^2.0.0")), Node("z", "3.0.0", ("a", "1.x")), Node("other", "1.0.0")]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ErrorCodes.DependencyMissing, problem.Code);
        Assert.Equal("z@3.0.0 → a@1.0.0 → b (^2.0.0): not installed.", problem.Message);
        Assert.Equal(["other"], result.LoadOrder.Select(n => n.Id));
    }

    [Fact]
    public void Resolve_UnsatisfiedRange_NamesInstalledVersion()
    {
        var result = DependencyResolver.Resolve([Node("a", "1.0.0", ("b", "^2.0.0")), Node("b", "1.4.0")]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ErrorCodes.DependencyUnsatisfied, problem.Code);
        Assert.Equal("a@1.0.0 → b (^2.0.0): installed b@1.4.0 does not satisfy it.", problem.Message);
        Assert.Equal(["b"], result.LoadOrder.Select(n => n.Id));
    }

    [Fact]
    public void Resolve_PrereleaseNotInRange_IsUnsatisfied()
    {
        var result = DependencyResolver.Resolve([Node("a", "1.0.0", ("b", "^2.0.0")), Node("b", "2.1.0-beta.1")]);
        Assert.Equal(ErrorCodes.DependencyUnsatisfied, Assert.Single(result.Problems).Code);
    }

    [Fact]
    public void Resolve_InvalidRange_IsReported()
    {
        var result = DependencyResolver.Resolve([Node("a", "1.0.0", ("b", "not a range!")), Node("b", "1.0.0")]);
        Assert.Equal(ErrorCodes.DependencyInvalidRange, Assert.Single(result.Problems).Code);
    }

    [Fact]
    public void Resolve_Cycle_NamesTheFullCycle()
    {
        var result = DependencyResolver.Resolve(
        [
            Node("b", "1.0.0", ("c", "*")),
            Node("c", "1.0.0", ("a", "*")),
            Node("a", "1.0.0", ("b", "*")),
            Node("d", "1.0.0", ("a", "*")),
            Node("e", "1.0.0"),
        ]);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(ErrorCodes.DependencyCycle, problem.Code);
        Assert.Equal("Dependency cycle: a → b → c → a.", problem.Message);
        Assert.Equal(["e"], result.LoadOrder.Select(n => n.Id));
    }

    [Fact]
    public void Resolve_SelfDependency_IsACycle() =>
        Assert.Equal("Dependency cycle: a → a.", Assert.Single(DependencyResolver.Resolve([Node("a", "1.0.0", ("a", "*"))]).Problems).Message);

    [Fact]
    public void Resolve_DuplicateId_Throws() =>
        Assert.Throws<ArgumentException>(() => DependencyResolver.Resolve([Node("a", "1.0.0"), Node("a", "2.0.0")]));

    [Fact]
    public void Dependents_DirectAndTransitive_SortedById()
    {
        PluginNode[] nodes = [Node("x", "1.0.0"), Node("z", "1.0.0", ("x", "*")), Node("y", "1.0.0", ("z", "*")), Node("w", "1.0.0")];

        Assert.Equal(["y", "z"], DependencyResolver.Dependents(nodes, "x"));
        Assert.Equal("Disabling x is refused because y, z depend on it.", DependencyResolver.DisableRefusal(nodes, "x"));
        Assert.Null(DependencyResolver.DisableRefusal(nodes, "w"));
    }

    [Theory]
    [InlineData("1.2.0", "1.1.9", true, false)]
    [InlineData("1.0.0", "1.0.0-rc.1", true, false)]
    [InlineData("1.0.0-rc.1", "1.0.0", false, true)]
    [InlineData("1.0.0+build.2", "1.0.0+build.1", false, false)]
    [InlineData("0.9.0", "1.0.0", false, true)]
    public void IsUpgradeIsDowngrade_Versions_CompareByPrecedence(string candidate, string active, bool upgrade, bool downgrade)
    {
        var c = SemVersion.Parse(candidate, SemVersionStyles.Strict);
        var a = SemVersion.Parse(active, SemVersionStyles.Strict);
        Assert.Equal(upgrade, VersionRules.IsUpgrade(c, a));
        Assert.Equal(downgrade, VersionRules.IsDowngrade(c, a));
    }

    [Fact]
    public void CheckActivation_DowngradeWithoutRollback_IsRefused()
    {
        var lower = SemVersion.Parse("1.0.0", SemVersionStyles.Strict);
        var active = SemVersion.Parse("1.1.0", SemVersionStyles.Strict);

        Assert.Contains("rollback", VersionRules.CheckActivation("com.x", lower, active, explicitRollback: false), StringComparison.Ordinal);
        Assert.Null(VersionRules.CheckActivation("com.x", lower, active, explicitRollback: true));
        Assert.Null(VersionRules.CheckActivation("com.x", active, lower, explicitRollback: false));
        Assert.Null(VersionRules.CheckActivation("com.x", lower, null, explicitRollback: false));
    }

    [Theory]
    [InlineData("1.0", false)]
    [InlineData("v1.0.0", false)]
    [InlineData("01.0.0", false)]
    [InlineData("1.0.0-beta.1+sha.5", true)]
    public void TryParse_Version_StrictSemVer2(string text, bool valid) =>
        Assert.Equal(valid, VersionRules.TryParse(text) is not null);
}
