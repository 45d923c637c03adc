package dbtest

import (
	"college/storage/db"

	"gorm.io/driver/mysql"
	"gorm.io/gorm"
)

func mysqlDialector(dsn string) gorm.Dialector { return mysql.Open(db.MySQLDSN(dsn)) }
