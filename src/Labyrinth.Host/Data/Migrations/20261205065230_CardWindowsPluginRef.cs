using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Labyrinth.Host.Data.Migrations
{
    /// <inheritdoc />
    public partial class CardWindowsPluginRef : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PluginId",
                table: "CardWindows",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TypeId",
                table: "CardWindows",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Version",
                table: "CardWindows",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            // Existing cards: the plugin reference of each window in its board document (stored camelCase).
            migrationBuilder.Sql(
                "UPDATE CardWindows SET " +
                "PluginId = COALESCE((SELECT json_extract(w.value, '$.plugin.pluginId') FROM Boards b, json_each(b.DocumentJson, '$.windows') w " +
                "  WHERE b.Id = CardWindows.BoardId AND json_valid(b.DocumentJson) AND json_extract(w.value, '$.id') = CardWindows.WindowId), ''), " +
                "Version = COALESCE((SELECT json_extract(w.value, '$.plugin.version') FROM Boards b, json_each(b.DocumentJson, '$.windows') w " +
                "  WHERE b.Id = CardWindows.BoardId AND json_valid(b.DocumentJson) AND json_extract(w.value, '$.id') = CardWindows.WindowId), ''), " +
                "TypeId = COALESCE((SELECT json_extract(w.value, '$.plugin.typeID') FROM Boards b, json_each(b.DocumentJson, '$.windows') w " +
                "  WHERE b.Id = CardWindows.BoardId AND json_valid(b.DocumentJson) AND json_extract(w.value, '$.id') = CardWindows.WindowId), '');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PluginId",
                table: "CardWindows");

            migrationBuilder.DropColumn(
                name: "TypeId",
                table: "CardWindows");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "CardWindows");
        }
    }
}
