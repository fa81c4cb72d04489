using System.Globalization;
using System.Text.RegularExpressions;

namespace Labyrinth.Core.Ink;

/// <summary>
/// The limits and shape rules of ink strokes (docs/api.md "Ink"). Every number a client might hit
/// is published here once; the host's <c>GET /api/boards/ink/limits</c> serves them to the page.
/// </summary>
public static partial class InkRules
{
    /// <summary>Points in one stroke (a point is x, y, pressure).</summary>
    public const int MaxPointsPerStroke = 5_000;

    /// <summary>Live (not erased) strokes on one board.</summary>
    public const int MaxStrokesPerBoard = 50_000;

    /// <summary>Strokes in one add request.</summary>
    public const int MaxStrokesPerBatch = 500;

    /// <summary>Ids in one erase or restore request.</summary>
    public const int MaxIdsPerBatch = 2_000;

    /// <summary>Request body of one add request; a 5,000-point stroke as JSON is ≈ 120 KB.</summary>
    public const int MaxBatchBytes = 4 * 1024 * 1024;

    /// <summary>Strokes in one selection shared with a card.</summary>
    public const int MaxSelectionStrokes = 2_000;

    /// <summary>Points across one shared selection (the card frame drops a larger one whole).</summary>
    public const int MaxSelectionPoints = 50_000;

    /// <summary>The PNG of one shared selection.</summary>
    public const int MaxSelectionImageBytes = 2 * 1024 * 1024;

    /// <summary>Coordinates are world units, the same bound as window positions.</summary>
    public const double MaxCoordinate = 1_000_000;

    public const double MinWidth = 0.5;
    public const double MaxWidth = 64;

    /// <summary>Coordinates are stored in steps of 1/16 world unit (invisible below zoom 16).</summary>
    public const double Quantum = 1.0 / 16;

    /// <summary>The colour of "default ink": the reader draws it in its own text colour (dark or light).</summary>
    public const string DefaultInk = "currentColor";

    /// <summary>How long an erased stroke can still be restored (undo of an erase).</summary>
    public static readonly TimeSpan RestoreWindow = TimeSpan.FromHours(24);

    [GeneratedRegex("^[A-Za-z0-9_-]{8,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex StrokeIdPattern();

    [GeneratedRegex("^#[0-9a-fA-F]{6}$", RegexOptions.CultureInvariant)]
    private static partial Regex HexColorPattern();

    public static bool IsStrokeId(string? id) => id is not null && StrokeIdPattern().IsMatch(id);

    /// <summary>The stored form of a colour (<c>#rrggbb</c> lower case or <c>currentColor</c>), or null when it is not one.</summary>
    public static string? NormalizeColor(string? color) =>
        color == DefaultInk ? DefaultInk
        : color is not null && HexColorPattern().IsMatch(color) ? color.ToLowerInvariant()
        : null;

    public static string? CheckWidth(double width) =>
        double.IsFinite(width) && width >= MinWidth && width <= MaxWidth
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"The width must be between {MinWidth} and {MaxWidth}.");

    /// <summary>
    /// Checks a flat point list <c>[x0, y0, p0, x1, y1, p1, …]</c>. Returns null when it is
    /// acceptable, else a sentence; <paramref name="tooMany"/> tells the caller to answer with the
    /// point-limit code rather than the shape code.
    /// </summary>
    public static string? CheckPoints(ReadOnlySpan<double> flat, out bool tooMany)
    {
        tooMany = false;
        if (flat.Length == 0 || flat.Length % 3 != 0)
        {
            return "A stroke needs at least one point, as a flat list of x, y, pressure triples.";
        }

        if (flat.Length / 3 > MaxPointsPerStroke)
        {
            tooMany = true;
            return string.Create(CultureInfo.InvariantCulture, $"A stroke has at most {MaxPointsPerStroke} points; this one has {flat.Length / 3}.");
        }

        for (var i = 0; i < flat.Length; i += 3)
        {
            if (!double.IsFinite(flat[i]) || !double.IsFinite(flat[i + 1]) || Math.Abs(flat[i]) > MaxCoordinate || Math.Abs(flat[i + 1]) > MaxCoordinate)
            {
                return string.Create(CultureInfo.InvariantCulture, $"Point {i / 3} is outside the board: coordinates must be finite and within ±{MaxCoordinate}.");
            }

            if (!double.IsFinite(flat[i + 2]) || flat[i + 2] < 0 || flat[i + 2] > 1)
            {
                return string.Create(CultureInfo.InvariantCulture, $"Point {i / 3} has a pressure outside 0..1.");
            }
        }

        return null;
    }
}
