public enum TensorNNPlaceholder {}
