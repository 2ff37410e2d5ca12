### model
