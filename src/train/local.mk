### train
