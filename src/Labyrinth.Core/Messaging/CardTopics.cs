namespace Labyrinth.Core.Messaging;

/// <summary>
/// The topics a card type declares in its manifest (<c>cards[].topics</c>): what it may publish and
/// which topics (or <c>*</c> patterns) it may subscribe to. Undeclared topics are never delivered.
/// </summary>
public sealed record CardTopics(IReadOnlyList<string> Publish, IReadOnlyList<string> Subscribe)
{
    public static CardTopics None { get; } = new([], []);
}
