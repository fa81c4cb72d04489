using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Migrations
{
    /// <inheritdoc />
    public partial class NetworkServiceBurst : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Burst",
                table: "NetworkServices",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Services defined before the burst existed get the default: one second's worth of their rate.
            migrationBuilder.Sql("UPDATE NetworkServices SET Burst = MAX(1, (RatePerMinute + 59) / 60);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Burst",
                table: "NetworkServices");
        }
    }
}
