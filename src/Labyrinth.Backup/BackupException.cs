namespace Labyrinth.Backup;

/// <summary>A data directory or archive that cannot be backed up or restored, with a sentence naming the part.</summary>
public sealed class BackupException(string message, Exception? inner = null) : Exception(message, inner);
