using StretchBot.TeamsPackage;

return TeamsPackageCommand.Run(args, Console.Out, Console.Error);
