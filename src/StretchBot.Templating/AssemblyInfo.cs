using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("StretchBot.Templating.Tests")]
[assembly: InternalsVisibleTo("StretchBot.Benchmarks")]
