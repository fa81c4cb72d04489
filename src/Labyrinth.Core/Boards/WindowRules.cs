using System.Globalization;

namespace Labyrinth.Core.Boards;

/// <summary>
/// The closed registry of window kinds and the geometry rules every board write must satisfy.
/// Kept closed on purpose: a spawn config can only name a renderer the host ships.
/// </summary>
public static class WindowRules
{
    public const string Form = "form";
    public const string Chat = "chat";
    public const string Metadata = "metadata";
    public const string Plugin = "plugin";

    public static readonly IReadOnlyList<string> Kinds = [Form, Chat, Metadata, Plugin];

    public const double MinWidth = 160;
    public const double MinHeight = 100;
    public const double MaxSize = 10_000;
    public const double MaxCoordinate = 1_000_000;
    public const int MaxWindowsPerBoard = 200;

    /// <summary>Live card frames per board (CSC / seed 002): each is a sandboxed process.</summary>
    public const int MaxOpenCards = 10;
    public const int MaxTitleLength = 200;
    public const int MaxDataBytes = 256 * 1024;
    public const double MinZoom = 0.05;
    public const double MaxZoom = 8;

    public static bool IsKnownKind(string? kind) => kind is Form or Chat or Metadata or Plugin;

    public static string UnknownKindMessage(string? kind) =>
        $"\"{kind}\" is not a window kind this host knows. Choose one of: {string.Join(", ", Kinds)}.";

    /// <summary>Returns null when the geometry is acceptable, else a sentence.</summary>
    public static string? CheckGeometry(double x, double y, double width, double height, double minWidth = MinWidth, double minHeight = MinHeight)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || Math.Abs(x) > MaxCoordinate || Math.Abs(y) > MaxCoordinate)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The position must be finite and within ±{MaxCoordinate}.");
        }

        if (!double.IsFinite(width) || !double.IsFinite(height))
        {
            return "The size must be finite.";
        }

        if (width < minWidth || height < minHeight)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The window must be at least {minWidth}×{minHeight}.");
        }

        if (width > MaxSize || height > MaxSize)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The window must be at most {MaxSize}×{MaxSize}.");
        }

        return null;
    }

    public static string? CheckViewport(double x, double y, double zoom)
    {
        if (!double.IsFinite(x) || !double.IsFinite(y) || Math.Abs(x) > MaxCoordinate * 10 || Math.Abs(y) > MaxCoordinate * 10)
        {
            return "The viewport position must be finite.";
        }

        if (!double.IsFinite(zoom) || zoom < MinZoom || zoom > MaxZoom)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The zoom must be between {MinZoom} and {MaxZoom}.");
        }

        return null;
    }
}
