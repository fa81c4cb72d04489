using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class SetupTokenSealed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SealedToken",
                table: "SetupTokens",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SealedToken",
                table: "SetupTokens");
        }
    }
}
