public enum KilnCLIPlaceholder {}
