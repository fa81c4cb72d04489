using System.Collections.Frozen;

namespace Labyrinth.Core.Themes;

public enum ThemeTokenType
{
    Color,
    Font,
    Number,
    Enum,
}

/// <summary>
/// One token a theme may set: its type (and range or values), the host CSS custom properties it
/// feeds, and the host surface those style. Themes never name CSS properties themselves; this
/// fixed mapping is the only way a token reaches the UI (seed 002, "extra safety win").
/// </summary>
public sealed record ThemeToken(string Name, ThemeTokenType Type, IReadOnlyList<string> CssVars, string Surface)
{
    public double Min { get; init; }

    public double Max { get; init; }

    public IReadOnlyList<string> Values { get; init; } = [];
}

/// <summary>A panel material: how opaque panels are and how much they blur what is behind them.</summary>
public sealed record PanelMaterial(string Name, double Opacity, double BlurPx);

/// <summary>
/// The host's token catalogue (docs/api.md "Themes"). Every <c>--lab-*</c> variable in
/// web/src/app.css is fed by exactly one token here, so a theme restyles the whole UI.
/// </summary>
public static class ThemeCatalog
{
    public const string CssPrefix = "--lab-";

    private static ThemeToken Color(string name, string cssVar, string surface) => new(name, ThemeTokenType.Color, [cssVar], surface);

    /// <summary>The catalogue, in display order.</summary>
    public static IReadOnlyList<ThemeToken> Tokens { get; } =
    [
        Color("canvas.clearColor", "--lab-canvas-bg", "The board's background, behind the grid and the cards."),
        Color("canvas.gridDot", "--lab-grid-dot", "Marks the board draws where no fractal grid is drawn."),
        Color("ui.background", "--lab-bg", "The page background around the board and behind admin pages."),
        Color("ui.panel.background", "--lab-surface", "Windows, closed cards, menus, dialogs and toolbars."),
        Color("ui.panel.backgroundAlt", "--lab-surface-2", "Secondary panel areas: list rows, footers, inactive title bars."),
        new("ui.panel.material", ThemeTokenType.Enum, ["--lab-panel-opacity", "--lab-panel-blur"], "Panel translucency and backdrop blur.")
        {
            Values = ["solid", "thick", "regular", "thin", "ultraThin"],
        },
        Color("ui.titlebar.active", "--lab-titlebar-active", "The title bar of the focused window."),
        Color("ui.hover", "--lab-hover", "Buttons and rows under the pointer."),
        Color("ui.input.background", "--lab-input", "Text fields, selects and text areas."),
        Color("ui.border", "--lab-border", "Panel, button and field borders."),
        Color("ui.border.strong", "--lab-border-strong", "Borders that must stand out: selected cards, splitters."),
        Color("ui.text.primary", "--lab-text", "Body text and titles."),
        Color("ui.text.secondary", "--lab-text-muted", "Secondary text: hints, timestamps, captions."),
        Color("ui.text.onAccent", "--lab-on-accent", "Text and icons on accent-colored buttons."),
        Color("ui.accent", "--lab-accent", "Primary buttons, selection and active states."),
        Color("ui.accent.hover", "--lab-accent-hover", "Primary buttons under the pointer."),
        Color("ui.accent.text", "--lab-accent-text", "Links and accent-colored text on panels."),
        Color("ui.focus", "--lab-focus", "The keyboard focus ring."),
        Color("ui.danger", "--lab-danger", "Destructive buttons and error text."),
        Color("ui.danger.background", "--lab-danger-bg", "Error banners and destructive-action backgrounds."),
        Color("ui.success", "--lab-success", "Success marks and badges."),
        Color("ui.warning.text", "--lab-warning-text", "Warning text (for example \"wants more access\")."),
        Color("ui.warning.background", "--lab-warning-bg", "Warning banners."),
        new("ui.shadow", ThemeTokenType.Color, ["--lab-shadow", "--lab-shadow-lg"], "Shadow color and strength (alpha) under panels and floating menus."),
        new("ui.font.body", ThemeTokenType.Font, ["--lab-font"], "All UI text."),
        new("ui.font.mono", ThemeTokenType.Font, ["--lab-font-mono"], "Code, ids and digests."),
        new("ui.radius.panel", ThemeTokenType.Number, ["--lab-radius"], "Corner radius of panels, buttons and fields, in px.") { Min = 0, Max = 24 },
        new("ui.spacing.menu", ThemeTokenType.Number, ["--lab-spacing-menu"], "Padding inside menus and popovers, in px.") { Min = 0, Max = 32 },
    ];

    private static readonly FrozenDictionary<string, ThemeToken> ByName = Tokens.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    public static ThemeToken? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// Font names a theme may use → the font-family stack the host emits. Only locally installed
    /// fonts: a theme can never make the browser fetch anything.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Fonts { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["system"] = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
        ["inter"] = "Inter, 'Inter var', 'Helvetica Neue', system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
        ["humanist"] = "Seravek, 'Gill Sans Nova', Ubuntu, Calibri, 'DejaVu Sans', source-sans-pro, sans-serif",
        ["rounded"] = "ui-rounded, 'Hiragino Maru Gothic ProN', Quicksand, Comfortaa, Manjari, 'Arial Rounded MT Bold', Calibri, sans-serif",
        ["serif"] = "'Iowan Old Style', 'Palatino Linotype', Palatino, Georgia, 'Times New Roman', serif",
        ["mono"] = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyList<PanelMaterial> Materials { get; } =
    [
        new("solid", 1, 0),
        new("thick", 0.92, 30),
        new("regular", 0.85, 24),
        new("thin", 0.75, 16),
        new("ultraThin", 0.6, 10),
    ];

    public static PanelMaterial Material(string name) => Materials.FirstOrDefault(m => m.Name == name) ?? Materials[0];

    /// <summary>The fractal grid's levels, coarse to fine; axes a group may draw.</summary>
    public static IReadOnlyList<string> GridLevels { get; } = ["tileBorder", "child", "grandchild"];

    public static IReadOnlyList<string> GridAxes { get; } = ["horizontal", "vertical", "both"];

    public const double GridMinWidthPx = 0.5;
    public const double GridMaxWidthPx = 4;
    public const int GridMaxGroups = 3;

    /// <summary>
    /// Text/background pairs that must reach WCAG AA (4.5:1). The background is what the text is
    /// actually drawn on: translucent colors are composited (panels over the canvas, the canvas
    /// over the page background) before the ratio is computed.
    /// </summary>
    public static IReadOnlyList<(string Foreground, string Background)> ContrastPairs { get; } =
    [
        ("ui.text.primary", "ui.panel.background"),
        ("ui.text.primary", "canvas.clearColor"),
        ("ui.text.primary", "ui.background"),
        ("ui.text.secondary", "ui.panel.background"),
        ("ui.text.secondary", "ui.background"),
        ("ui.text.onAccent", "ui.accent"),
        ("ui.accent.text", "ui.panel.background"),
        ("ui.danger", "ui.panel.background"),
        ("ui.warning.text", "ui.warning.background"),
    ];

    public const double MinContrast = 4.5;
}
