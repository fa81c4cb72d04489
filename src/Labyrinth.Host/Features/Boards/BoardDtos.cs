using System.Text.Json;
using Labyrinth.Host.Data;

namespace Labyrinth.Host.Features.Boards;

internal sealed record ViewportDto(double X, double Y, double Zoom)
{
    public static readonly ViewportDto Default = new(0, 0, 1);
}

internal sealed record PluginRefDto(string PluginId, string Version, string TypeID, JsonElement Props);

internal sealed record WindowDto(
    string Id,
    string Kind,
    string Title,
    double X,
    double Y,
    double Width,
    double Height,
    int Z,
    bool Minimized,
    bool Maximized,
    JsonElement? Data,
    PluginRefDto? Plugin,
    bool Open = false)
{
    /// <summary>The live frame is shown (plugin windows only); documents written before the flag existed read as closed.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOpenCard => Open && Kind == Labyrinth.Core.Boards.WindowRules.Plugin;
}

internal sealed record BoardDto(Guid Id, string Name, long Version, ViewportDto Viewport, IReadOnlyList<WindowDto> Windows, DateTime UpdatedAt);

internal sealed record BoardSummaryDto(Guid Id, string Name, long Version, DateTime UpdatedAt);

internal sealed record CreateBoardRequest(string? Name);

internal sealed record RenameBoardRequest(string? Name);

internal sealed record LayoutRequest(ViewportDto? Viewport, WindowDto?[]? Windows);

internal sealed record SpawnPluginRequest(string? PluginId, string? Version, string? TypeID, JsonElement? Props);

internal sealed record SpawnRequest(string? Kind, string? Title, double? X, double? Y, double? Width, double? Height, JsonElement? Data, SpawnPluginRequest? Plugin);

internal sealed record SpawnResultDto(BoardDto Board, WindowDto Window);

internal sealed record PayloadDto(JsonElement? Payload, long Version);

internal sealed record PayloadVersionDto(long Version);

/// <summary>What the Boards table stores as JSON: everything but plugin payloads.</summary>
internal sealed record BoardDocument(ViewportDto Viewport, List<WindowDto> Windows)
{
    public static BoardDocument Empty => new(ViewportDto.Default, []);

    public static BoardDocument Read(BoardEntity board) =>
        JsonSerializer.Deserialize<BoardDocument>(board.DocumentJson, JsonSerializerOptions.Web) ?? Empty;

    public string Write() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);
}

internal static class BoardMapping
{
    public static BoardDto ToDto(BoardEntity board, BoardDocument doc) =>
        new(board.Id, board.Name, board.Version, doc.Viewport, doc.Windows, board.UpdatedAt);

    public static BoardSummaryDto ToSummary(BoardEntity board) => new(board.Id, board.Name, board.Version, board.UpdatedAt);
}
