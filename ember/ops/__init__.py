"""The primitive ops, one file per family. Users reach them through ``ember.*`` and Tensor
methods."""
