route53_weight = 0
