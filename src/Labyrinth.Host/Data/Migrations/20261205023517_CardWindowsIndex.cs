using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Migrations
{
    /// <inheritdoc />
    public partial class CardWindowsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CardWindows",
                columns: table => new
                {
                    BoardId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WindowId = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CardWindows", x => new { x.BoardId, x.WindowId });
                });

            // Existing boards: every plugin window of each board document (stored camelCase).
            migrationBuilder.Sql(
                "INSERT OR IGNORE INTO CardWindows (BoardId, WindowId) " +
                "SELECT b.Id, json_extract(w.value, '$.id') FROM Boards b, json_each(b.DocumentJson, '$.windows') w " +
                "WHERE json_valid(b.DocumentJson) AND json_extract(w.value, '$.kind') = 'plugin' AND json_extract(w.value, '$.id') IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CardWindows");
        }
    }
}
