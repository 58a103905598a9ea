namespace StretchBot.TeamsPackage.Tests;

/// <summary>The icons as they go into the package: sizes, and the outline icon's white-on-transparent rule.</summary>
public class IconTests
{
    private static PngImage FromPackage(string name)
    {
        using var dir = new TempDirectory();
        var run = Packager.Run(dir, "--bot-id", Packager.BotId, "--domain", Packager.Domain);
        Assert.Equal(0, run.ExitCode);
        return Png.Decode(run.Entry(name));
    }

    [Fact]
    public void The_colour_icon_is_a_192_by_192_png_with_a_full_bleed_background()
    {
        var png = FromPackage("color.png");

        Assert.Equal((192, 192), (png.Width, png.Height));
        // Fully opaque: Teams puts it on a tile, so no see-through corners.
        Assert.All(Enumerable.Range(0, png.Width * png.Height), i => Assert.Equal(255, png.Rgba[(i * 4) + 3]));
        // More than one colour: a mark on a background, not an empty square.
        Assert.True(Enumerable.Range(0, png.Width * png.Height).Select(i => BitConverter.ToInt32(png.Rgba, i * 4)).Distinct().Count() > 10);
    }

    [Fact]
    public void The_outline_icon_is_32_by_32_white_on_transparent()
    {
        var png = FromPackage("outline.png");

        Assert.Equal((32, 32), (png.Width, png.Height));
        Assert.True(png.HasAlphaChannel, $"colour type {png.ColorType} has no alpha channel");
        int transparent = 0, opaque = 0;
        for (var y = 0; y < png.Height; y++)
        {
            for (var x = 0; x < png.Width; x++)
            {
                var (r, g, b, a) = png.Pixel(x, y);
                if (a == 0)
                {
                    transparent++;
                }
                else
                {
                    // Anti-aliased edges are fine, but only in alpha: the colour is white wherever anything shows.
                    Assert.True((r, g, b) == (255, 255, 255), $"pixel ({x},{y}) is ({r},{g},{b},{a}), not white");
                    if (a == 255)
                    {
                        opaque++;
                    }
                }
            }
        }

        Assert.True(transparent > 100, $"{transparent} transparent pixels");
        Assert.True(opaque > 100, $"{opaque} opaque pixels");
    }

    [Fact]
    public void The_outline_icon_has_no_padding()
    {
        var png = FromPackage("outline.png");

        // The figure is taller than it is wide, so it reaches the top and bottom rows.
        Assert.Contains(Enumerable.Range(0, png.Width), x => png.Pixel(x, 0).A > 0);
        Assert.Contains(Enumerable.Range(0, png.Width), x => png.Pixel(x, png.Height - 1).A > 0);
    }

    [Fact]
    public void The_decoder_checks_what_it_reads()
    {
        var bytes = File.ReadAllBytes(Path.Combine(Packager.RepoManifestDirectory, "outline.png"));
        bytes[^20] ^= 0xFF; // inside the last IDAT chunk (or its CRC), before IEND's 12 bytes

        Assert.Throws<InvalidDataException>(() => Png.Decode(bytes));
        Assert.Throws<InvalidDataException>(() => Png.Decode([.. "GIF89a"u8]));
    }
}
