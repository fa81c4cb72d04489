using Microsoft.Playwright;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>
/// Handwriting as a person's mouse makes it: symbols drawn in their usual strokes, with a slant,
/// a slow wobble, jitter and uneven sample spacing, each sample one pointer move (a mouse reports
/// every 2–4 px at writing speed). Seeded, so a run can be repeated.
/// </summary>
public sealed class Handwriting(int seed, double height = 48, double slant = 0.12)
{
    private readonly Random _random = new(seed);

    /// <summary>Symbol height in CSS pixels (a digit).</summary>
    public double Height { get; } = height;

    /// <summary>Strokes of one symbol in a unit box (x right, y down, 0..1 tall), written in order.</summary>
    public static IReadOnlyList<(double X, double Y)[]> Glyph(char symbol) => symbol switch
    {
        // Over the top, down to the bottom left and along the base, without lifting the pen.
        '2' => [[.. Arc(0.48, 0.3, 0.4, 0.3, 165, -35), (0.3, 0.72), (0.06, 1.0), (0.5, 0.99), (0.92, 0.98)]],
        '3' => [[.. Arc(0.45, 0.26, 0.38, 0.24, 150, -90), (0.36, 0.5), .. Arc(0.45, 0.74, 0.45, 0.26, 90, -150)]],
        '+' => [[(0.05, 0.55), (0.85, 0.53)], [(0.46, 0.15), (0.44, 0.95)]],
        '4' => [[(0.6, 0.0), (0.05, 0.68), (0.95, 0.66)], [(0.66, 0.3), (0.64, 1.0)]],
        '*' => [[(0.2, 0.35), (0.8, 0.75)], [(0.8, 0.35), (0.2, 0.75)]],
        _ => throw new ArgumentOutOfRangeException(nameof(symbol), symbol, "no handwriting for this symbol"),
    };

    /// <summary>Width of a symbol's unit box, relative to its height.</summary>
    public static double Advance(char symbol) => symbol switch { '+' or '*' => 0.75, _ => 0.6 };

    /// <summary>
    /// The strokes of <paramref name="text"/> written left to right from (x, y) (top-left, CSS
    /// pixels), as pointer paths: each path is one pen-down … pen-up.
    /// </summary>
    public List<(double X, double Y)[]> Write(string text, double x, double y)
    {
        var strokes = new List<(double X, double Y)[]>();
        foreach (var symbol in text)
        {
            // Each symbol a little larger or smaller, higher or lower, than the last.
            var size = Height * (symbol is '+' or '*' ? 0.7 : 1.0) * (0.94 + 0.12 * _random.NextDouble());
            var top = y + (Height - size) / 2 + Gauss(Height * 0.03);
            foreach (var unit in Glyph(symbol))
            {
                var path = unit.Select(p => (X: x + p.X * size + slant * (1 - p.Y) * size, Y: top + p.Y * size)).ToArray();
                strokes.Add(Sample(path));
            }

            x += Advance(symbol) * size + Height * (0.22 + 0.1 * _random.NextDouble());
        }

        return strokes;
    }

    /// <summary>A loose loop around a box, as a person lassoes: not a circle, ends near where it began.</summary>
    public (double X, double Y)[] Loop(double x0, double y0, double x1, double y1, double margin)
    {
        double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, rx = (x1 - x0) / 2 + margin, ry = (y1 - y0) / 2 + margin;
        var start = _random.NextDouble() * Math.PI;
        var loop = new List<(double X, double Y)>();
        for (var i = 0; i <= 40; i++)
        {
            var t = start + (i / 40.0) * 2 * Math.PI * 1.03;
            var r = 1 + 0.05 * Math.Sin(3 * t);
            loop.Add((cx + rx * r * Math.Cos(t), cy + ry * r * Math.Sin(t)));
        }

        return Sample(loop.ToArray());
    }

    /// <summary>Moves the real mouse along each stroke: down, one move per sample, up.</summary>
    public static async Task DrawAsync(IPage page, IEnumerable<(double X, double Y)[]> strokes)
    {
        foreach (var stroke in strokes)
        {
            await page.Mouse.MoveAsync((float)stroke[0].X, (float)stroke[0].Y);
            await page.Mouse.DownAsync();
            foreach (var (x, y) in stroke.Skip(1))
            {
                await page.Mouse.MoveAsync((float)x, (float)y);
            }

            await page.Mouse.UpAsync();
        }
    }

    /// <summary>Box of some strokes.</summary>
    public static (double X0, double Y0, double X1, double Y1) BoxOf(IEnumerable<(double X, double Y)[]> strokes)
    {
        var all = strokes.SelectMany(s => s).ToArray();
        return (all.Min(p => p.X), all.Min(p => p.Y), all.Max(p => p.X), all.Max(p => p.Y));
    }

    /// <summary>Resamples a polyline every 2–4 px with a slow sideways wobble and a little jitter.</summary>
    private (double X, double Y)[] Sample((double X, double Y)[] path)
    {
        var phase = _random.NextDouble() * 2 * Math.PI;
        var wobble = 0.6 + 0.6 * _random.NextDouble();
        var samples = new List<(double X, double Y)>();
        double walked = 0, next = 0;
        for (var i = 1; i < path.Length; i++)
        {
            var (ax, ay) = path[i - 1];
            var (bx, by) = path[i];
            var length = Math.Max(1e-9, double.Hypot(bx - ax, by - ay));
            while (next <= walked + length)
            {
                var f = (next - walked) / length;
                // Perpendicular to the direction of writing: a hand drifts sideways, not along.
                var drift = wobble * Math.Sin(phase + next / 11.0) + Gauss(0.25);
                samples.Add((ax + f * (bx - ax) - drift * (by - ay) / length, ay + f * (by - ay) + drift * (bx - ax) / length));
                next += 2 + 2 * _random.NextDouble();
            }

            walked += length;
        }

        samples.Add(path[^1]);
        return [.. samples];
    }

    private double Gauss(double sigma) =>
        sigma * Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    /// <summary>Points of an elliptic arc from <paramref name="from"/>° to <paramref name="to"/>° (counter-clockwise positive, y down).</summary>
    private static (double X, double Y)[] Arc(double cx, double cy, double rx, double ry, double from, double to)
    {
        var steps = (int)Math.Ceiling(Math.Abs(to - from) / 10);
        return [.. Enumerable.Range(0, steps + 1).Select(i =>
        {
            var a = (from + (to - from) * i / steps) * Math.PI / 180;
            return (cx + rx * Math.Cos(a), cy - ry * Math.Sin(a));
        })];
    }
}
