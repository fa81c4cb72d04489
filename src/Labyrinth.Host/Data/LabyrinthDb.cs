using Microsoft.EntityFrameworkCore;

namespace Labyrinth.Host.Data;

internal sealed class LabyrinthDb(DbContextOptions<LabyrinthDb> options) : DbContext(options)
{
    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<SetupTokenEntity> SetupTokens => Set<SetupTokenEntity>();
    public DbSet<BoardEntity> Boards => Set<BoardEntity>();
    public DbSet<CardPayloadEntity> CardPayloads => Set<CardPayloadEntity>();
    public DbSet<PluginEntity> Plugins => Set<PluginEntity>();
    public DbSet<PluginVersionEntity> PluginVersions => Set<PluginVersionEntity>();
    public DbSet<AuditEntryEntity> AuditEntries => Set<AuditEntryEntity>();
    public DbSet<TrustedKeyEntity> TrustedKeys => Set<TrustedKeyEntity>();
    public DbSet<UnsignedAllowlistEntity> UnsignedAllowlist => Set<UnsignedAllowlistEntity>();
    public DbSet<PersonalAccessTokenEntity> PersonalAccessTokens => Set<PersonalAccessTokenEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<UserEntity>(e =>
        {
            e.ToTable("Users");
            e.HasIndex(u => u.NormalizedUserName).IsUnique();
            e.Property(u => u.UserName).HasMaxLength(64);
            e.Property(u => u.NormalizedUserName).HasMaxLength(64);
            e.Property(u => u.Role).HasMaxLength(16);
        });
        modelBuilder.Entity<SetupTokenEntity>(e => e.ToTable("SetupTokens"));
        modelBuilder.Entity<BoardEntity>(e =>
        {
            e.ToTable("Boards");
            e.HasIndex(b => b.OwnerId);
            e.Property(b => b.Name).HasMaxLength(200);
            e.Property(b => b.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<CardPayloadEntity>(e =>
        {
            e.ToTable("CardPayloads");
            e.HasKey(p => new { p.BoardId, p.WindowId });
            e.Property(p => p.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<PluginEntity>(e => e.ToTable("Plugins"));
        modelBuilder.Entity<PluginVersionEntity>(e =>
        {
            e.ToTable("PluginVersions");
            e.HasKey(v => new { v.PluginId, v.Version });
            e.Property(v => v.Digest).HasMaxLength(64);
            e.Property(v => v.SignatureStatus).HasMaxLength(32);
        });
        modelBuilder.Entity<AuditEntryEntity>(e =>
        {
            e.ToTable("AuditEntries");
            // The chain assigns sequence numbers; the unique index makes a forked chain fail to insert.
            e.HasIndex(a => a.Sequence).IsUnique();
            e.HasIndex(a => a.PluginId);
            e.HasIndex(a => a.Action);
        });
        modelBuilder.Entity<TrustedKeyEntity>(e =>
        {
            e.ToTable("TrustedKeys");
            e.HasKey(k => k.KeyId);
            e.HasIndex(k => k.PublicKey).IsUnique();
        });
        modelBuilder.Entity<UnsignedAllowlistEntity>(e =>
        {
            e.ToTable("UnsignedAllowlist");
            e.HasKey(a => a.PluginId);
        });
        modelBuilder.Entity<PersonalAccessTokenEntity>(e =>
        {
            e.ToTable("PersonalAccessTokens");
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.Property(t => t.Name).HasMaxLength(100);
        });
    }
}
