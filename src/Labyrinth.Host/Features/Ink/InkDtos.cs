namespace Labyrinth.Host.Features.Ink;

/// <summary>A stroke as the page sends it: <c>points</c> is flat <c>[x0, y0, p0, x1, y1, p1, …]</c> in world units.</summary>
internal sealed record StrokeInput(string? Id, double[]? Points, string? Color, double? Width);

internal sealed record AddStrokesRequest(StrokeInput?[]? Strokes);

internal sealed record EraseStrokesRequest(string?[]? Ids);

internal sealed record RestoreStrokesRequest(string? Erasure, string?[]? Ids);

/// <summary>A stored stroke on the wire: <c>points</c> is base64 of the compact encoding (docs/api.md "Ink wire format").</summary>
internal sealed record StrokeDto(string Id, string Color, double Width, byte[] Points);

/// <summary>The limits the page must respect, published with the strokes so there is one source.</summary>
internal sealed record InkLimitsDto(
    int MaxPointsPerStroke, int MaxStrokesPerBoard, int MaxStrokesPerBatch, int MaxIdsPerBatch, int MaxBatchBytes,
    double MaxCoordinate, double MinWidth, double MaxWidth, double Quantum,
    int MaxSelectionStrokes, int MaxSelectionPoints, int MaxSelectionImageBytes);

internal sealed record InkDto(long Revision, StrokeDto[] Strokes, InkLimitsDto Limits);

internal sealed record StrokesAddedDto(long Revision, int Added);

internal sealed record StrokesErasedDto(long Revision, string Erasure, string[] Erased, string[] Missing);

internal sealed record StrokesRestoredDto(long Revision, string[] Restored);
