using StretchBot.Scheduling;

namespace StretchBot.Core.Tests.Scheduling;

/// <summary>The Scheduling settings' one-line problems (the start-up error names the setting and its range).</summary>
public sealed class SchedulingOptionsTests
{
    [Fact]
    public void TheDefaultsHaveNoProblem() => Assert.Null(new SchedulingOptions().Problem());

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:10:01")]
    public void APrepareAheadOutOfRangeIsNamed(string value)
    {
        var problem = new SchedulingOptions { PrepareAhead = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) }.Problem();
        Assert.Equal("Scheduling:PrepareAhead must be between 00:00:00 and 00:10:00.", problem);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:10:00")]
    public void PrepareAheadMayBeNothingOrTenMinutes(string value) =>
        Assert.Null(new SchedulingOptions { PrepareAhead = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) }.Problem());
}
