using Labyrinth.Core.Boards;

namespace Labyrinth.Core.Tests;

public sealed class WindowRulesTests
{
    [Theory]
    [InlineData("form")]
    [InlineData("chat")]
    [InlineData("metadata")]
    [InlineData("plugin")]
    public void IsKnownKind_RegisteredKind_IsTrue(string kind) => Assert.True(WindowRules.IsKnownKind(kind));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Form")]
    [InlineData("iframe")]
    [InlineData("html")]
    public void IsKnownKind_AnythingElse_IsFalse(string? kind) => Assert.False(WindowRules.IsKnownKind(kind));

    [Fact]
    public void UnknownKindMessage_Always_ListsTheKinds()
    {
        var message = WindowRules.UnknownKindMessage("iframe");

        Assert.All(WindowRules.Kinds, k => Assert.Contains(k, message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, 0, 160, 100)]
    [InlineData(-1_000_000, 1_000_000, 10_000, 10_000)]
    [InlineData(12.5, -7.25, 320, 220)]
    public void CheckGeometry_WithinBounds_IsAccepted(double x, double y, double w, double h) =>
        Assert.Null(WindowRules.CheckGeometry(x, y, w, h));

    [Theory]
    [InlineData(0, 0, 159.9, 100)]
    [InlineData(0, 0, 160, 99)]
    [InlineData(0, 0, 10_001, 200)]
    [InlineData(0, 0, 200, 10_001)]
    [InlineData(0, 0, -200, 200)]
    [InlineData(1_000_001, 0, 200, 200)]
    [InlineData(0, -1_000_001, 200, 200)]
    [InlineData(double.NaN, 0, 200, 200)]
    [InlineData(0, double.PositiveInfinity, 200, 200)]
    [InlineData(0, 0, double.NaN, 200)]
    [InlineData(0, 0, 200, double.PositiveInfinity)]
    [InlineData(0, 0, double.MaxValue, 200)]
    public void CheckGeometry_OutOfBounds_IsRefused(double x, double y, double w, double h) =>
        Assert.NotNull(WindowRules.CheckGeometry(x, y, w, h));

    [Fact]
    public void CheckGeometry_SmallerCardMinimum_AllowsSmallerWindow() =>
        Assert.Null(WindowRules.CheckGeometry(0, 0, 120, 80, minWidth: 100, minHeight: 60));

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(-5000, 5000, 0.05)]
    [InlineData(0, 0, 8)]
    public void CheckViewport_WithinBounds_IsAccepted(double x, double y, double zoom) =>
        Assert.Null(WindowRules.CheckViewport(x, y, zoom));

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 0, 0.049)]
    [InlineData(0, 0, 8.01)]
    [InlineData(0, 0, double.NaN)]
    [InlineData(double.NaN, 0, 1)]
    [InlineData(0, double.NegativeInfinity, 1)]
    [InlineData(1e12, 0, 1)]
    [InlineData(0, 1e12, 1)]
    public void CheckViewport_OutOfBounds_IsRefused(double x, double y, double zoom) =>
        Assert.NotNull(WindowRules.CheckViewport(x, y, zoom));
}
